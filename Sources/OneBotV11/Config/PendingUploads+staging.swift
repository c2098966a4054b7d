import TrefoilConfiguration
import TrefoilCore

extension PendingUploads.Limits {
    /// The pending-upload bounds of the `staging` section (the gateway builds the shared `PendingUploads` with
    /// them, and an action context built alone does too).
    public init(_ staging: TrefoilConfig.Staging) {
        self.init(
            maxPerClient: staging.maxPendingPerConnection, maxTotal: staging.maxPending,
            maxBytes: staging.maxPendingBytes, idleSeconds: Int64(staging.pendingIdleSeconds))
    }
}
