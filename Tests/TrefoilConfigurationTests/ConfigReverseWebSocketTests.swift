import Foundation
import OneBotV11
import Testing
import TrefoilConfiguration

@Suite("Reverse WebSocket roles and URLs")
struct ConfigReverseWebSocketTests {
    @Test("an entry with api_url and event_url and no url opens an API and an Event connection")
    func apiAndEventURLsWithoutURLSplitIntoTwoConnections() throws {
        let json = """
            {"reverse_ws": [
              {"api_url": "ws://h/api", "event_url": "ws://h/event"},
              {"role": "Universal", "api_url": "ws://h/api", "event_url": "", "url": ""},
              {"url": "ws://h/any", "api_url": "ws://h/api", "event_url": "ws://h/event"}
            ]}
            """
        let entries = try ConfigTestSupport.load(json).config.onebot11.reverseWS
        #expect(
            entries.map(\.connections) == [
                [.init(role: .api, url: "ws://h/api"), .init(role: .event, url: "ws://h/event")],
                [.init(role: .api, url: "ws://h/api")],
                [.init(role: .universal, url: "ws://h/any")],
            ])
        #expect(entries.map(\.carriesAPI) == [true, true, true])
        #expect(entries.map(\.carriesEvents) == [true, false, true])
        #expect(
            ConfigTestSupport.summary(OneBot11Settings(reverseWS: entries)).contains(
                "reverse_ws=[API ws://h/api + Event ws://h/event, API ws://h/api, Universal ws://h/any]"))
    }

    @Test func universalRoleNeedsAURL() {
        #expect(
            ConfigTestSupport.problems(#"{"reverse_ws": [{"url": "", "api_url": "", "event_url": ""}]}"#)
                == [
                    #"config.json: reverse_ws[0]: no URL for role "Universal" (set "url" (or "api_url" and "event_url") to a ws:// or wss:// URL with a host)"#
                ])
    }

    @Test func apiAndEventRolesNeedTheirURLOrURL() {
        let json = #"{"reverse_ws": [{"role": "API", "event_url": "ws://h/e"}, {"role": "Event", "url": ""}]}"#
        #expect(
            ConfigTestSupport.problems(json) == [
                #"config.json: reverse_ws[0]: no URL for role "API" (set "api_url" or "url" to a ws:// or wss:// URL with a host)"#,
                #"config.json: reverse_ws[1]: no URL for role "Event" (set "event_url" or "url" to a ws:// or wss:// URL with a host)"#,
            ])
    }

    @Test func roleSpecificURLWinsOverURL() throws {
        let json = """
            {"reverse_ws": [
              {"role": "API", "url": "ws://h/any", "api_url": "ws://h/api"},
              {"role": "API", "url": "ws://h/any"},
              {"role": "Event", "url": "ws://h/any", "event_url": "wss://h/event"},
              {"role": "Event", "url": "ws://h/any"},
              {"role": "Universal", "url": "ws://h/any", "api_url": "ws://h/api"}
            ]}
            """
        let entries = try ConfigTestSupport.load(json).config.onebot11.reverseWS
        #expect(
            entries.map { $0.connections.map(\.url) } == [
                ["ws://h/api"], ["ws://h/any"], ["wss://h/event"], ["ws://h/any"], ["ws://h/any"],
            ])
        #expect(entries.map(\.carriesAPI) == [true, true, false, false, true])
        #expect(entries.map(\.carriesEvents) == [false, false, true, true, true])
    }

    @Test func invalidRoleIsReportedWithoutAMissingURLProblem() {
        #expect(
            ConfigTestSupport.problems(#"{"reverse_ws": [{"role": "Both"}]}"#) == [
                #"config.json: reverse_ws[0].role: "Both" is not a valid role (allowed: "Universal", "API", "Event")"#
            ])
    }

    @Test func urlsMustBeWebSocketURLsWithAHost() {
        let json = #"{"reverse_ws": [{"url": "http://h/ws", "api_url": "ws://", "event_url": "wss://h/e"}]}"#
        let allowed = #"(allowed: a ws:// or wss:// URL with a host, or "" for none)"#
        #expect(
            ConfigTestSupport.problems(json) == [
                #"config.json: reverse_ws[0].url: "http://h/ws" is not a valid URL "# + allowed,
                #"config.json: reverse_ws[0].api_url: "ws://" is not a valid URL "# + allowed,
            ])
    }

    @Test func connectionsAreEmptyWhenTheRoleHasNoURL() {
        #expect(OneBot11Settings.ReverseWebSocket(eventURL: "ws://h/e", role: .api).connections == [])
        #expect(OneBot11Settings.ReverseWebSocket(apiURL: "ws://h/a", role: .event).connections == [])
        #expect(
            OneBot11Settings.ReverseWebSocket(apiURL: "ws://h/api", role: .api).connections == [
                .init(role: .api, url: "ws://h/api")
            ])
    }
}
