import Testing
import TrefoilCore

@testable import TrefoilServer

@Suite("Events wait for their request's answer", .timeLimit(.minutes(1)))
struct AnswerLedgerTests {
    @Test("an event waits until the answer to the request that caused it is written")
    func waitsForTheAnswer() async {
        let ledger = AnswerLedger()
        let origin = ledger.begin()
        let waiting = Task { await ledger.waitForAnswer(to: origin, upTo: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(100))
        ledger.answered(origin)
        await waiting.value
    }

    @Test("an action that never answers holds its event back no longer than the limit")
    func neverAnsweredWaitsOnlyTheLimit() async {
        let ledger = AnswerLedger()
        let origin = ledger.begin()
        let start = ContinuousClock.now
        await ledger.waitForAnswer(to: origin, upTo: .milliseconds(300))
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        // Past the limit the request counts as answered: its next event does not wait again.
        let again = ContinuousClock.now
        await ledger.waitForAnswer(to: origin, upTo: .seconds(600))
        #expect(ContinuousClock.now - again < .seconds(60))
    }

    @Test("an event from another connection, or after the answer, does not wait")
    func othersDoNotWait() async {
        let ours = AnswerLedger()
        let theirs = AnswerLedger().begin()
        await ours.waitForAnswer(to: theirs, upTo: .seconds(600))
        let answered = ours.begin()
        ours.answered(answered)
        await ours.waitForAnswer(to: answered, upTo: .seconds(600))
    }

    @Test("closing the connection ends the wait")
    func cancellationEndsTheWait() async {
        let ledger = AnswerLedger()
        let origin = ledger.begin()
        let waiting = Task { await ledger.waitForAnswer(to: origin, upTo: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await waiting.value
    }
}
