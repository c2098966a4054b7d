import Testing
import TrefoilConfiguration

/// The `metrics` section: `/metrics` on by default on the main listener; a loopback port of its own when set.
@Suite("Config metrics section")
struct ConfigMetricsTests {
    @Test("by default metrics are on and served on the main listener (listen_port 0)")
    func defaults() throws {
        let metrics = try ConfigTestSupport.load("{}").config.metrics
        #expect(metrics == TrefoilConfig.Metrics(enable: true, listenPort: 0))
    }

    @Test("the file and the environment set enable and listen_port; a wrong type is one problem line")
    func fileAndEnvironment() throws {
        let file = try ConfigTestSupport.load(#"{"metrics": {"enable": false, "listen_port": 9464}}"#).config.metrics
        #expect(file == TrefoilConfig.Metrics(enable: false, listenPort: 9464))
        let environment = try ConfigTestSupport.load(
            "{}", environment: ["TREFOIL_METRICS_LISTEN_PORT": "9100", "TREFOIL_METRICS_ENABLE": "true"]
        ).config.metrics
        #expect(environment == TrefoilConfig.Metrics(enable: true, listenPort: 9100))
        #expect(
            ConfigTestSupport.problems(#"{"metrics": {"listen_port": "9464"}}"#) == [
                #"config.json: metrics.listen_port: expected an integer, got string "9464""#
            ])
    }
}
