/// Every text of the console in English and Simplified Chinese, by key: the pages read them as `{{t.key}}`, the
/// code through `ConsoleText`. A `{0}`, `{1}` … in a text is filled in by `ConsoleText.format`.
enum ConsoleStrings {
    static let table: [String: (en: String, zh: String)] = [
        // The page frame
        "html_lang": ("en", "zh-CN"),
        "other_lang": ("zh", "en"),
        "other_lang_tag": ("zh-CN", "en"),
        "other_lang_name": ("中文", "English"),
        "skip_to_content": ("Skip to content", "跳到正文"),
        "nav_label": ("Console sections", "控制台栏目"),
        "nav_overview": ("Overview", "概览"),
        "nav_groups": ("Groups", "群文件"),
        "nav_users": ("Private files", "私人文件"),
        "nav_spaces": ("Other spaces", "其他空间"),
        "nav_health": ("Health", "健康"),
        "sign_out": ("Sign out", "退出登录"),
        "go_back": ("Go back", "返回"),
        "breadcrumbs": ("Where you are", "当前位置"),
        "pages": ("Pages", "分页"),
        "previous_page": ("Previous page", "上一页"),
        "next_page": ("Next page", "下一页"),
        "page_position": ("Page {0} of {1}", "第 {0} / {1} 页"),
        "search": ("Search", "搜索"),

        // Sign-in
        "sign_in_title": ("Sign in to the Trefoil console", "登录 Trefoil 控制台"),
        "sign_in_with_token": (
            "Sign in with the gateway's access token (access_token in the config).", "请使用网关的访问令牌（配置中的 access_token）登录。"
        ),
        "sign_in_with_password": (
            "Sign in with the console password (console.password in the config).", "请使用控制台密码（配置中的 console.password）登录。"
        ),
        "sign_in_open": (
            "No access token and no console password are set: anyone who can reach this address may use the console, so the gateway listens on this machine (loopback) only. Set access_token or console.password to require one.",
            "未设置访问令牌和控制台密码：能访问此地址的任何人都可以使用控制台，因此网关只在本机（回环地址）上监听。设置 access_token 或 console.password 即可要求登录凭据。"
        ),
        "access_token": ("Access token", "访问令牌"),
        "password": ("Password", "密码"),
        "sign_in": ("Sign in", "登录"),
        "sign_in_wrong": ("That is not the right token or password.", "令牌或密码不正确。"),
        "sign_in_throttled": (
            "Too many wrong sign-ins in the last minute; wait a minute and try again.", "最近一分钟内登录失败次数过多；请等一分钟后再试。"
        ),

        // Refusals
        "forbidden_title": ("Refused", "已拒绝"),
        "csrf_refused": (
            "This form is out of date or did not come from the console (its security token is missing or wrong). Reload the page and try again.",
            "此表单已过期或并非来自控制台（安全令牌缺失或错误）。请刷新页面后重试。"
        ),
        "not_found_title": ("Not found", "未找到"),
        "not_found": ("There is no such page, group, folder or file.", "没有这个页面、群、文件夹或文件。"),
        "failed_title": ("Not done", "未完成"),
        "bad_request": ("The request is missing a field or has a bad value.", "请求缺少字段或含有错误的值。"),

        // Overview
        "overview_title": ("Overview", "概览"),
        "totals": ("Totals", "总计"),
        "stat_groups": ("Groups", "群"),
        "stat_files": ("Files", "文件"),
        "stat_bytes": ("Stored (as users see it)", "存储量（用户所见）"),
        "stat_dedup": ("Saved by deduplication", "去重节省"),
        "stat_disk_free": ("Disk free under data_dir", "数据目录所在磁盘可用空间"),
        "stat_uptime": ("Uptime", "运行时间"),
        "stat_version": ("Version", "版本"),
        "bots_title": ("Connected bots", "已连接的机器人"),
        "connections_caption": ("WebSocket connections", "WebSocket 连接"),
        "reverse_caption": ("Reverse WebSocket targets", "反向 WebSocket 目标"),
        "webhook_caption": ("HTTP POST (webhook) targets", "HTTP POST（Webhook）目标"),
        "col_direction": ("Direction", "方向"),
        "col_role": ("Role", "角色"),
        "col_address": ("Address", "地址"),
        "col_since": ("Since", "起始时间"),
        "col_state": ("State", "状态"),
        "col_failures": ("Failures", "失败次数"),
        "col_last_error": ("Last error", "最近错误"),
        "col_queue": ("Queued", "排队"),
        "col_delivered": ("Delivered", "已送达"),
        "col_retries": ("Retries", "重试"),
        "col_dropped": ("Lost", "丢弃"),
        "direction_forward": ("forward", "正向"),
        "direction_reverse": ("reverse", "反向"),
        "state_connected": ("connected", "已连接"),
        "state_disconnected": ("not connected", "未连接"),
        "no_connections": ("No bot is connected over WebSocket.", "没有机器人通过 WebSocket 连接。"),
        "none_configured": ("None configured.", "未配置。"),
        "events_title": ("Last 100 events", "最近 100 个事件"),
        "col_time": ("Time", "时间"),
        "col_event": ("Event", "事件"),
        "col_space": ("Space", "空间"),
        "no_events": ("Nothing has happened since start-up.", "启动以来没有发生任何事件。"),
        "event_file_stored": ("file stored", "文件已存储"),
        "event_file_deleted": ("file deleted", "文件已删除"),
        "event_folder_created": ("folder created", "文件夹已创建"),
        "event_folder_renamed": ("folder renamed", "文件夹已重命名"),
        "event_folder_deleted": ("folder deleted", "文件夹已删除"),

        // Groups
        "groups_title": ("Groups", "群文件"),
        "search_groups": ("Group id contains", "群号包含"),
        "groups_summary": ("{0} groups", "共 {0} 个群"),
        "groups_matching": ("{0} of {1} groups match", "{1} 个群中有 {0} 个匹配"),
        "col_group": ("Group", "群"),
        "col_usage": ("Used / quota", "已用 / 配额"),
        "col_files": ("Files / limit", "文件数 / 上限"),
        "no_groups": ("No group has files yet.", "还没有群存储文件。"),
        "group_title": ("Group {0}", "群 {0}"),
        "root_folder": ("(root)", "（根目录）"),
        "group_usage": ("{0} of {1} used, {2} of {3} files", "已用 {0} / {1}，文件 {2} / {3}"),
        "biggest_files": ("Biggest files in this group", "本群最大的文件"),
        "biggest_title": ("Biggest files of group {0}", "群 {0} 最大的文件"),
        "biggest_explain": ("The {0} biggest files, from every folder.", "所有文件夹中最大的 {0} 个文件。"),
        "col_folder": ("Folder", "文件夹"),
        "upload_title": ("Upload", "上传"),
        "upload_pick": ("Choose files", "选择文件"),
        "upload_drop": ("or drop files here; each gets its own progress bar.", "或把文件拖到这里；每个文件都有自己的进度条。"),
        "upload_needs_js": ("Uploading needs JavaScript.", "上传需要启用 JavaScript。"),
        "new_folder_name": ("New folder", "新建文件夹"),
        "create_folder": ("Create folder", "创建文件夹"),
        "col_name": ("Name", "名称"),
        "col_size": ("Size", "大小"),
        "col_uploader": ("Uploader", "上传者"),
        "col_uploaded": ("Uploaded", "上传时间"),
        "col_modified": ("Modified", "修改时间"),
        "col_downloads": ("Downloads", "下载次数"),
        "col_expires": ("Expires", "过期时间"),
        "col_actions": ("Actions", "操作"),
        "manage": ("Rename, move, delete", "重命名、移动、删除"),
        "folder_empty": ("This folder is empty.", "此文件夹为空。"),
        "folder_files": ("{0} files", "{0} 个文件"),
        "never": ("never", "永不"),
        "download": ("Download", "下载"),
        "new_name": ("New name", "新名称"),
        "rename": ("Rename", "重命名"),
        "move_to": ("Move to folder", "移动到文件夹"),
        "move": ("Move", "移动"),
        "delete": ("Delete", "删除"),
        "delete_file_warning": ("Deleting the file cannot be undone.", "删除文件后无法恢复。"),
        "delete_folder_warning": (
            "Deleting the folder deletes the {0} files directly in it and everything in its sub-folders; it cannot be undone.",
            "删除文件夹会同时删除其中的 {0} 个文件及所有子文件夹中的内容，且无法恢复。"
        ),
        "confirm_delete": ("Delete “{0}”?", "确定删除“{0}”吗？"),
        "folder_created": ("Folder “{0}” created.", "已创建文件夹“{0}”。"),
        "renamed": ("Renamed to “{0}”.", "已重命名为“{0}”。"),
        "moved": ("“{0}” moved.", "已移动“{0}”。"),
        "deleted": ("“{0}” deleted.", "已删除“{0}”。"),

        // Store refusals, as an admin reads them
        "error_name": ("That name is not allowed: {0}", "该名称不可用：{0}"),
        "error_conflict": ("A folder of that name is already there.", "已存在同名文件夹。"),
        "error_too_deep": (
            "Folders cannot be nested that deep (limits.max_folder_depth).", "文件夹层级过深（limits.max_folder_depth）。"
        ),
        "error_quota": ("The group's quota is full.", "群的存储配额已满。"),
        "error_file_count": ("The group has as many files as it may have.", "群的文件数量已达上限。"),
        "error_too_large": ("The file is larger than the store takes.", "文件超过了存储允许的大小。"),
        "error_store": ("The store could not do it: {0}", "存储无法完成此操作：{0}"),

        // Other spaces
        "space_kinds": ("Kinds of space", "空间类型"),
        "kind_user": ("Private files", "私人文件"),
        "kind_app": ("App chat files", "应用聊天文件"),
        "kind_staging": ("Staged uploads", "暂存上传"),
        "kind_avatar": ("Avatars", "头像"),
        "explain_user": (
            "Each user's private files (OneBot upload_private_file, Easemob and Qiniu user files). You may delete them here.",
            "每个用户的私人文件（OneBot upload_private_file、环信与七牛用户文件）。可以在此删除。"
        ),
        "explain_app": (
            "Chat attachments of each app (Easemob, Qiniu IM); read-only here.", "各应用的聊天附件（环信、七牛 IM）；此处只读。"
        ),
        "explain_staging": (
            "Uploads that belong to no one yet (OneBot 12 style staged files); read-only here.",
            "尚未归属任何人的上传（OneBot 12 风格的暂存文件）；此处只读。"
        ),
        "explain_avatar": ("Users' and groups' avatars; read-only here.", "用户和群的头像；此处只读。"),
        "search_owners": ("Owner id contains", "所有者 ID 包含"),
        "spaces_summary": ("{0} spaces", "共 {0} 个空间"),
        "spaces_matching": ("{0} of {1} spaces match", "{1} 个空间中有 {0} 个匹配"),
        "col_owner": ("Owner", "所有者"),
        "no_spaces": ("No space of this kind has files.", "此类空间中还没有文件。"),
        "no_files": ("No files.", "没有文件。"),
        "space_usage": ("{0} in {1} files", "{1} 个文件，共 {0}"),

        // Health
        "health_title": ("Health", "健康状况"),
        "temp_files": ("Temp files", "临时文件"),
        "temp_bytes": ("Temp bytes", "临时文件大小"),
        "maintenance_title": ("Last janitor and collector runs", "最近的清理与回收运行"),
        "col_kind": ("Kind", "类型"),
        "col_started": ("Started", "开始时间"),
        "col_duration": ("Duration", "耗时"),
        "col_expired": ("Expired files", "过期文件"),
        "col_abandoned": ("Abandoned uploads", "废弃上传"),
        "col_collected": ("Blobs collected", "回收的数据块"),
        "col_pruned": ("Cache files pruned", "清理的缓存文件"),
        "col_result": ("Result", "结果"),
        "run_ok": ("completed", "完成"),
        "run_janitor": ("janitor", "定期清理"),
        "run_startup": ("start-up clean-up", "启动清理"),
        "no_runs": ("No run yet since start-up.", "启动以来尚未运行。"),
        "check_title": ("Consistency check", "一致性检查"),
        "check_explain": (
            "Runs what trefoil fsck checks, read-only, while the gateway keeps serving: SQLite's integrity, the counters of every space and folder against their rows, every blob's reference count, and every blob file on disk against its row. What a change under way shows for an instant is told from damage by checking twice. It repairs nothing and cannot judge temp files (an upload under way has one); stop the gateway and run trefoil fsck --repair to repair.",
            "在网关继续服务的同时，以只读方式执行 trefoil fsck 的检查：SQLite 完整性、每个空间和文件夹的计数与实际记录、每个数据块的引用计数，以及磁盘上的每个数据块文件与其记录。正在进行的修改造成的瞬时状态通过检查两次来与真正的损坏区分。它不做任何修复，也无法判断临时文件（进行中的上传会产生临时文件）；如需修复，请停止网关并运行 trefoil fsck --repair。"
        ),
        "run_check": ("Run the check", "运行检查"),
        "check_clean": ("Checked at {0}: consistent.", "{0} 检查：一致。"),
        "check_problems": ("Checked at {0}: {1} problems.", "{0} 检查：发现 {1} 个问题。"),
        "check_failed": ("The check could not run: {0}", "检查无法运行：{0}"),
    ]
}
