import CoreMetrics

extension ActionTable {
    /// Counts one answered call (`trefoil_onebot_actions_total` by action and retcode) and times it
    /// (`trefoil_onebot_action_duration_seconds` by action).
    ///
    /// The action is labelled with its catalog name, whatever alias or suffix the call used, and a name the table does
    /// not serve with `unknown`: a caller cannot grow the label set.
    public func record(_ action: String, _ response: ActionResponse, since start: ContinuousClock.Instant) {
        let label = metricLabel(action)
        let factory = context.metrics
        Counter(
            label: "trefoil_onebot_actions_total",
            dimensions: [("action", label), ("retcode", String(response.retcode))], factory: factory
        ).increment()
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        CoreMetrics.Timer(
            label: "trefoil_onebot_action_duration_seconds", dimensions: [("action", label)], factory: factory
        )
        .recordNanoseconds(nanoseconds)
    }

    /// The catalog name of the action `name` calls, or `unknown`.
    func metricLabel(_ name: String) -> String {
        switch route(name) {
        case .direct(let spec, _), .background(let spec, _), .queued(let spec, _): spec.name
        case nil: "unknown"
        }
    }
}
