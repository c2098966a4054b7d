import TrefoilCore
import TrefoilJSON

/// The events of the OneBot 11 face (docs/onebot11.md §5).
public enum OneBotEvents {
    /// `meta_event` / `lifecycle` with `sub_type` `connect`, `enable` or `disable`.
    public static func lifecycle(_ subType: String, selfID: Int64, time: Int64) -> JSONValue {
        [
            "time": .int(time), "self_id": .int(selfID), "post_type": "meta_event", "meta_event_type": "lifecycle",
            "sub_type": .string(subType),
        ]
    }

    /// `meta_event` / `heartbeat` carrying the `get_status` object and the interval in ms.
    public static func heartbeat(status: JSONValue, intervalMS: Int, selfID: Int64, time: Int64) -> JSONValue {
        [
            "time": .int(time), "self_id": .int(selfID), "post_type": "meta_event", "meta_event_type": "heartbeat",
            "status": status, "interval": .int(Int64(intervalMS)),
        ]
    }

    /// The notice a store event becomes, or nil for the events OneBot 11 has no notice for.
    ///
    /// Only a file stored in a group's space has one: `notice` / `group_upload`. OneBot 11 has no notice for a
    /// deleted file or a folder change, and a space whose id is not a OneBot group id has no `group_id` to send.
    public static func notice(for event: StoreEvent, context: ActionContext) -> JSONValue? {
        guard case .fileStored(let file, _) = event, file.owner.kind == .group,
            let group = OneBotIDs.number(file.owner.id)
        else { return nil }
        return [
            "time": .int(file.uploadTime), "self_id": .int(context.selfID), "post_type": "notice",
            "notice_type": "group_upload", "group_id": .int(group),
            "user_id": .int(OneBotIDs.number(file.uploader) ?? 0),
            "file": [
                "id": .string(file.id.rawValue), "name": .string(file.name), "size": .int(file.size),
                "busid": .int(file.lifetime.busid), "url": .string(context.downloadURL(for: file)),
                "folder_id": .string(file.folderID.rawValue),
            ],
        ]
    }

    /// The status object of `get_status` and heartbeats.
    public static func status(_ context: ActionContext) async -> JSONValue {
        await AccountActions.status(context)
    }
}
