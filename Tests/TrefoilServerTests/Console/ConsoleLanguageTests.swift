import Foundation
import HTTPTypes
import Testing

@testable import TrefoilServer

extension ConsoleTests {
    /// English and Simplified Chinese: picked from Accept-Language, switched with the `lang` cookie.
    @Suite("Console: language")
    struct ConsoleLanguageTests {
        @Test(
            "Accept-Language picks the page's language by weight; English when it names neither",
            arguments: [
                ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"), ("en-US,en;q=0.9,zh;q=0.8", "en"),
                ("fr-FR, zh-Hans;q=0.5", "zh-CN"),
                ("en;q=0.3, zh-TW;q=0.6", "zh-CN"), ("de", "en"), ("", "en"), ("zh;q=0", "en"),
            ])
        func acceptLanguage(header: String, lang: String) async throws {
            let server = try await ConsoleClient.start()
            let page = try await ConsoleClient(server: server).get(
                "/console/sign-in", headers: [.acceptLanguage: header])
            #expect(page.text.contains(#"<html lang="\#(lang)">"#))
            #expect(page.text.contains(lang == "en" ? "Sign in to the Trefoil console" : "登录 Trefoil 控制台"))
            await server.stop()
        }

        @Test(
            "the switch sets a lang cookie that outweighs Accept-Language, and goes back to the console page it was on")
        func languageSwitch() async throws {
            let server = try await ConsoleClient.start()
            var client = try await ConsoleClient.signIn(server)
            let english = try await client.get("/console/groups", headers: [.acceptLanguage: "en"])
            #expect(
                english.text.contains(
                    #"id="lang-switch" data-lang="zh" href="/console/lang?to=zh&amp;back=%2Fconsole%2Fgroups""#))
            let switched = try await client.get("/console/lang?to=zh&back=%2Fconsole%2Fgroups")
            #expect(switched.status == .seeOther)
            #expect(switched.headers[.location] == "/console/groups")
            let cookie = try #require(switched.cookies.first { $0.name == "lang" })
            #expect(cookie.value == "zh")
            #expect(cookie.attributes["path"] == "/console")
            client.cookie += "; lang=\(cookie.value)"
            let chinese = try await client.get("/console/groups", headers: [.acceptLanguage: "en"])
            #expect(chinese.text.contains(#"<html lang="zh-CN">"#))
            #expect(chinese.text.contains("群号包含"))
            // Only a console page is a place to go back to.
            let elsewhere = try await client.get("/console/lang?to=en&back=https%3A%2F%2Fexample.com%2F")
            #expect(elsewhere.headers[.location] == "/console/")
            await server.stop()
        }
    }
}
