"""End-to-end check of Trefoil's forward WebSocket with a real bot framework.

NoneBot2 (driver ``~websockets``) and its OneBot V11 adapter connect to a running Trefoil as a
forward WebSocket client, wait for the bot to appear, then drive the group file actions through
``bot.call_api`` and watch for the ``group_upload`` notice: get_login_info, create_group_file_folder,
upload_group_file (base64), get_group_files_by_folder, get_group_file_url (and a plain urllib GET of
it), get_group_file_system_info, rename_group_file, move_group_file, get_group_root_files,
delete_group_file, then a call on the deleted file that must raise ActionFailed with retcode 35001;
the notice must arrive as a GroupUploadNoticeEvent and a heartbeat as a HeartbeatMetaEvent.

Usage (each option falls back to the environment variable named beside it):

    python nonebot_forward_ws.py --ws-url ws://127.0.0.1:PORT/   (TREFOIL_E2E_WS_URL, required)
                                 --token TOKEN                   (TREFOIL_E2E_TOKEN, default "")
                                 --group-id 123456               (TREFOIL_E2E_GROUP_ID, default 123456)
                                 --self-id 10000                 (TREFOIL_E2E_SELF_ID, default 10000)
                                 --timeout 55                    (TREFOIL_E2E_TIMEOUT, seconds, default 55)

Standard output gets exactly one JSON line: ``{"ok": true, ...}`` with what was observed, or
``{"ok": false, "error": "...", ...}``. The exit status is 0 on success, 1 when a check failed, 2 on
bad arguments and 3 when the hard timeout fired. NoneBot's own log goes to standard error.

NoneBot reads ``.env`` files from the working directory and its settings from environment variables
(``DRIVER``, ``LOG_LEVEL``, ...): run this from an empty directory with a clean environment.
"""

import asyncio
import base64
import hashlib
import re
import time
import urllib.error
import uuid

from nonebot import on_metaevent, on_notice
from nonebot.adapters.onebot.v11 import ActionFailed, Bot, GroupUploadNoticeEvent, HeartbeatMetaEvent

from e2e_support import CheckFailed, check, fetch, forward_ws_parser, parse_forward_ws, run_forward_ws, start_forward_ws

UUID_ID = re.compile(r"^/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Known bytes: a header, every byte value, and a length that is not a round number.
PAYLOAD = b"Trefoil NoneBot e2e\n" + bytes(range(256)) * 40 + b"\x00tail"
FILE_NAME = "e2e report \u62a5\u544a.bin"
RENAMED = "e2e renamed.bin"
FOLDER_NAME = "e2e-folder-" + uuid.uuid4().hex[:8]  # unique, so a rerun on the same store works


args = parse_forward_ws(forward_ws_parser(__doc__.split("\n\n")[0], timeout=55))
started = time.monotonic()
result = {"ok": False, "steps": []}
driver = start_forward_ws(args, result, api_timeout=15)

upload_notices: "asyncio.Queue[GroupUploadNoticeEvent]" = asyncio.Queue()
heartbeats: "asyncio.Queue[HeartbeatMetaEvent]" = asyncio.Queue()
upload_matcher = on_notice(priority=1, block=False)
heartbeat_matcher = on_metaevent(priority=1, block=False)


@upload_matcher.handle()
async def on_group_upload(event: GroupUploadNoticeEvent):
    # The handler's parameter type makes NoneBot skip every other notice.
    await upload_notices.put(event)


@heartbeat_matcher.handle()
async def on_heartbeat(event: HeartbeatMetaEvent):
    await heartbeats.put(event)


async def call(bot, api, label=None, **params):
    """bot.call_api, remembering the step for the error message."""
    result["steps"].append(label or api)
    return await bot.call_api(api, **params)


async def scenario(bot: Bot):
    group = args.group_id
    size = len(PAYLOAD)
    expected = {
        "md5": hashlib.md5(PAYLOAD).hexdigest(),
        "sha": hashlib.sha1(PAYLOAD).hexdigest(),
        "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
    }
    result["self_id"] = int(bot.self_id)
    check(int(bot.self_id) == args.self_id, f"bot connected with self_id {bot.self_id}, expected {args.self_id}")

    login = await call(bot, "get_login_info")
    check(isinstance(login, dict) and login.get("user_id") == args.self_id, f"get_login_info returned {login!r}")
    result["login_user_id"] = login["user_id"]
    result["nickname"] = login.get("nickname")

    folder = await call(bot, "create_group_file_folder", group_id=group, name=FOLDER_NAME)
    check(isinstance(folder, dict), f"create_group_file_folder returned {folder!r}")
    folder_id = folder.get("folder_id")
    check(isinstance(folder_id, str) and UUID_ID.match(folder_id), f"folder_id {folder_id!r} is not '/'+uuid")
    check(folder.get("folder_name") == FOLDER_NAME, f"create_group_file_folder returned {folder!r}")
    check(folder.get("group_id") == group, f"create_group_file_folder returned {folder!r}")
    result["folder_id"] = folder_id

    uploaded = await call(
        bot,
        "upload_group_file",
        group_id=group,
        file="base64://" + base64.b64encode(PAYLOAD).decode("ascii"),
        name=FILE_NAME,
        folder_id=folder_id,
    )
    check(isinstance(uploaded, dict), f"upload_group_file returned {uploaded!r}")
    file_id = uploaded.get("file_id")
    check(isinstance(file_id, str) and UUID_ID.match(file_id), f"file_id {file_id!r} is not '/'+uuid")
    check(uploaded.get("file_size") == size, f"upload file_size {uploaded.get('file_size')!r}, sent {size}")
    for key, value in expected.items():
        check(uploaded.get(key) == value, f"upload {key} {uploaded.get(key)!r}, hashlib says {value}")
    check(uploaded.get("folder_id") == folder_id, f"upload folder_id {uploaded.get('folder_id')!r}, want {folder_id}")
    result.update(file_id=file_id, file_size=uploaded["file_size"], md5=uploaded["md5"], sha256=uploaded["sha256"])
    result["busid"] = uploaded.get("busid")

    result["steps"].append("group_upload notice")
    try:
        notice = await asyncio.wait_for(upload_notices.get(), timeout=10)
    except asyncio.TimeoutError:
        raise CheckFailed("no group_upload notice reached the GroupUploadNoticeEvent matcher within 10 s") from None
    notice_file = notice.file.model_dump()
    check(notice.group_id == group, f"notice group_id {notice.group_id}, want {group}")
    check(notice.user_id == args.self_id, f"notice user_id (uploader) {notice.user_id}, want {args.self_id}")
    check(notice_file.get("id") == file_id, f"notice file.id {notice_file.get('id')!r}, want {file_id}")
    check(notice_file.get("name") == FILE_NAME, f"notice file.name {notice_file.get('name')!r}, want {FILE_NAME!r}")
    check(notice_file.get("size") == size, f"notice file.size {notice_file.get('size')!r}, want {size}")
    notice_url = notice_file.get("url")
    check(isinstance(notice_url, str) and notice_url.startswith("http"), f"notice file.url {notice_url!r}")
    status, body = fetch(notice_url)
    check(status == 200 and body == PAYLOAD, f"notice file.url gave status {status} and {len(body)} bytes")
    result["notice"] = {
        "group_id": notice.group_id,
        "user_id": notice.user_id,
        "file_id": notice_file.get("id"),
        "name": notice_file.get("name"),
        "size": notice_file.get("size"),
        "busid": notice_file.get("busid"),
        "folder_id": notice_file.get("folder_id"),
        "url_bytes_match": True,
    }

    listing = await call(bot, "get_group_files_by_folder", group_id=group, folder_id=folder_id)
    files = listing.get("files") if isinstance(listing, dict) else None
    check(isinstance(files, list), f"get_group_files_by_folder returned {listing!r}")
    listed = [f for f in files if f.get("file_id") == file_id]
    check(len(listed) == 1, f"the folder listing does not hold {file_id}: {listing!r}")
    check(listed[0].get("file_name") == FILE_NAME, f"listed file_name {listed[0].get('file_name')!r}")
    check(listed[0].get("file_size") == size, f"listed file_size {listed[0].get('file_size')!r}")
    result["listed_name"] = listed[0]["file_name"]

    url_data = await call(bot, "get_group_file_url", group_id=group, file_id=file_id)
    url = url_data.get("url") if isinstance(url_data, dict) else None
    check(isinstance(url, str) and url.startswith("http"), f"get_group_file_url returned {url_data!r}")
    status, body = fetch(url)
    check(status == 200, f"GET {url} answered {status}")
    check(body == PAYLOAD, f"GET {url} gave {len(body)} bytes that differ from the {size} uploaded")
    result["download_bytes_match"] = True

    info = await call(bot, "get_group_file_system_info", group_id=group)
    check(isinstance(info, dict), f"get_group_file_system_info returned {info!r}")
    check(info.get("file_count") == 1, f"file_count {info.get('file_count')!r}, want 1")
    check(info.get("used_space") == size, f"used_space {info.get('used_space')!r}, want {size}")
    result.update(file_count=info["file_count"], used_space=info["used_space"])

    renamed = await call(bot, "rename_group_file", group_id=group, file_id=file_id, new_name=RENAMED)
    check(renamed is None, f"rename_group_file returned {renamed!r}, want null")
    moved = await call(
        bot,
        "move_group_file",
        group_id=group,
        file_id=file_id,
        current_parent_directory=folder_id,
        target_parent_directory="/",
    )
    check(moved is None, f"move_group_file returned {moved!r}, want null")
    root = await call(bot, "get_group_root_files", "get_group_root_files (after rename and move)", group_id=group)
    root_files = [f for f in root.get("files", []) if f.get("file_id") == file_id]
    check(len(root_files) == 1, f"after the move the root does not hold {file_id}: {root!r}")
    check(root_files[0].get("file_name") == RENAMED, f"after the rename the name is {root_files[0].get('file_name')!r}")
    check(root_files[0].get("folder_id") == "/", f"after the move folder_id is {root_files[0].get('folder_id')!r}")
    check(
        any(f.get("folder_id") == folder_id for f in root.get("folders", [])),
        f"the root listing lost the folder {folder_id}: {root!r}",
    )
    old_folder = await call(
        bot, "get_group_files_by_folder", "get_group_files_by_folder (after move)", group_id=group, folder_id=folder_id
    )
    check(old_folder.get("files") == [], f"the old folder still lists files after the move: {old_folder!r}")
    result["renamed_and_moved"] = True

    deleted = await call(bot, "delete_group_file", group_id=group, file_id=file_id)
    check(deleted is None, f"delete_group_file returned {deleted!r}, want null")
    try:
        stale = await call(
            bot, "get_group_file_url", "get_group_file_url (deleted file)", group_id=group, file_id=file_id
        )
    except ActionFailed as error:
        result["deleted_retcode"] = error.info.get("retcode")
        result["deleted_msg"] = error.info.get("msg")
        check(error.info.get("retcode") == 35001, f"the call on the deleted file failed with {error!r}, want 35001")
    else:
        raise CheckFailed(f"get_group_file_url on a deleted file answered ok with {stale!r}")
    try:
        status, _ = fetch(url)
    except urllib.error.HTTPError as error:
        status = error.code
    check(status == 404, f"the signed URL of a deleted file answered {status}, want 404")
    result["deleted_url_status"] = status
    after = await call(bot, "get_group_file_system_info", "get_group_file_system_info (after delete)", group_id=group)
    check(after.get("file_count") == 0 and after.get("used_space") == 0, f"after the delete: {after!r}")

    # The heartbeat (interval_ms 1000 in the test's config) must parse as NoneBot's HeartbeatMetaEvent.
    result["steps"].append("heartbeat")
    try:
        beat = await asyncio.wait_for(heartbeats.get(), timeout=10)
    except asyncio.TimeoutError:
        raise CheckFailed("no heartbeat reached the HeartbeatMetaEvent matcher within 10 s") from None
    check(beat.status.online is True, f"heartbeat status {beat.status!r}")
    result["heartbeat_interval"] = beat.interval

    result["steps"].append("done")
    result["ok"] = True


if __name__ == "__main__":
    run_forward_ws(driver, result, started, scenario)
