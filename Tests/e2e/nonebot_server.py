"""End-to-end check of Trefoil's outbound transports with a real bot framework run as the server.

NoneBot2 (FastAPI driver, served by uvicorn) and its OneBot V11 adapter, unpatched, listen on a
loopback port; Trefoil, started after it, connects to them:

* ``--mode reverse-ws``: Trefoil dials ``ws://127.0.0.1:PORT/onebot/v11/ws`` (the adapter's default
  path) with the access token. Actions go back over that same connection.
* ``--mode http-post``: Trefoil POSTs every event to ``http://127.0.0.1:PORT/onebot/v11/http``,
  signed with ``--secret``; NoneBot registers the bot on the first post it accepts and sends actions to
  Trefoil's HTTP API at ``--api-root`` (driver ``~fastapi+~httpx``).

Once the bot appears (``on_bot_connect``) the program calls get_login_info, upload_group_file
(base64), get_group_root_files, get_group_file_url (and a plain urllib GET of it), delete_group_file
and get_group_root_files again, and waits for the GroupUploadNoticeEvent of its own upload, a
HeartbeatMetaEvent and the LifecycleMetaEvent of the mode (``connect`` or ``enable``). A small ASGI
middleware (observation only; the adapter is not touched) records the headers Trefoil sent and what
NoneBot answered.

Options (each falls back to the environment variable named beside it):

    --mode reverse-ws|http-post          (TREFOIL_E2E_MODE, required)
    --port PORT                          (TREFOIL_E2E_PORT, required: where NoneBot listens)
    --token TOKEN                        (TREFOIL_E2E_TOKEN, default "": ONEBOT_ACCESS_TOKEN)
    --secret SECRET                      (TREFOIL_E2E_SECRET, default "": ONEBOT_SECRET, http-post)
    --api-root http://127.0.0.1:P/       (TREFOIL_E2E_API_ROOT, required for http-post: Trefoil's HTTP API)
    --group-id 123456                    (TREFOIL_E2E_GROUP_ID, default 123456)
    --self-id 10000                      (TREFOIL_E2E_SELF_ID, default 10000)
    --timeout 60                         (TREFOIL_E2E_TIMEOUT, seconds, default 60)
    --shutdown-file PATH                 (http-post: after the checks create PATH, then wait for the
                                          lifecycle ``disable`` post; the caller stops Trefoil when PATH
                                          appears)
    --expect-refused                     (http-post: Trefoil was given a different secret on purpose;
                                          succeed when NoneBot answered every post 403, including a
                                          heartbeat after the ``enable`` Trefoil gave up on, and no bot
                                          appeared)

Standard output gets exactly one JSON line: ``{"ok": true, ...}`` with what was observed, or
``{"ok": false, "error": "...", ...}``. The exit status is 0 on success, 1 when a check failed, 2 on
bad arguments and 3 when the hard timeout fired. NoneBot's and uvicorn's logs go to standard error.

NoneBot reads ``.env`` files from the working directory and its settings from environment variables
(``DRIVER``, ``HOST``, ``PORT``, ...): run this from an empty directory with a clean environment.
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import signal
import sys
import time
import urllib.error

import nonebot
from nonebot import on_metaevent, on_notice
from nonebot.adapters.onebot.v11 import (
    Adapter,
    Bot,
    GroupUploadNoticeEvent,
    HeartbeatMetaEvent,
    LifecycleMetaEvent,
)

from e2e_support import CheckFailed, check, emit, fetch, last_step, log_to_stderr, record_failure, start_hard_timeout

UUID_ID = re.compile(r"^/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# The same known bytes as nonebot_forward_ws.py: a header, every byte value, an odd length.
PAYLOAD = b"Trefoil NoneBot e2e\n" + bytes(range(256)) * 40 + b"\x00tail"
FILE_NAME = "e2e report \u62a5\u544a.bin"
# Request headers worth reporting (values of Authorization and X-Signature are judged, not copied).
HEADERS = ("x-self-id", "x-client-role", "user-agent", "content-type")


# A parent may hand its blocked signals down: under `swift test` this process starts with SIGINT and SIGTERM
# blocked (Foundation's Process passed on the spawning thread's mask). uvicorn stops on SIGINT, and a harness that
# gives up sends SIGTERM: unblock everything before any thread starts.
signal.pthread_sigmask(signal.SIG_SETMASK, set())


def parse_args():
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("reverse-ws", "http-post"), default=env("TREFOIL_E2E_MODE"))
    parser.add_argument("--port", type=int, default=int(env("TREFOIL_E2E_PORT", "0")))
    parser.add_argument("--token", default=env("TREFOIL_E2E_TOKEN", ""))
    parser.add_argument("--secret", default=env("TREFOIL_E2E_SECRET", ""))
    parser.add_argument("--api-root", default=env("TREFOIL_E2E_API_ROOT", ""))
    parser.add_argument("--group-id", type=int, default=int(env("TREFOIL_E2E_GROUP_ID", "123456")))
    parser.add_argument("--self-id", type=int, default=int(env("TREFOIL_E2E_SELF_ID", "10000")))
    parser.add_argument("--timeout", type=float, default=float(env("TREFOIL_E2E_TIMEOUT", "60")))
    parser.add_argument("--shutdown-file", default="")
    parser.add_argument("--expect-refused", action="store_true")
    args = parser.parse_args()
    problem = None
    if args.mode not in ("reverse-ws", "http-post"):
        problem = "no mode: pass --mode reverse-ws or --mode http-post"
    elif not 0 < args.port < 65536:
        problem = "no port: pass --port"
    elif args.mode == "http-post" and not args.api_root:
        problem = "http-post needs --api-root (Trefoil's HTTP API)"
    elif args.mode != "http-post" and (args.shutdown_file or args.expect_refused):
        problem = "--shutdown-file and --expect-refused are for http-post"
    if problem:
        parser.print_usage(sys.stderr)
        emit({"ok": False, "error": problem}, 2)
    return args


args = parse_args()
started = time.monotonic()
result = {"ok": False, "mode": args.mode, "steps": []}
# What reached the adapter's routes: one entry per HTTP request or WebSocket handshake (see Recorder).
requests_seen: list = []


def summarize_requests():
    """The request that made the bot appear (with the headers Trefoil sent), and every status NoneBot answered."""
    first = next((r for r in requests_seen if r.get("status") in (101, 204)), None)
    if first is not None:
        result["first_request"] = first
    result["statuses"] = sorted({str(r.get("status")) for r in requests_seen})


def hard_timeout():
    summarize_requests()
    result["error"] = (
        f"hard timeout after {args.timeout:.0f} s; last step reached: "
        f"{last_step(result, 'none (the bot never appeared)')}"
    )
    result["requests"] = requests_seen[-3:]
    emit(result, 3)


start_hard_timeout(args.timeout, hard_timeout)
log_to_stderr()

settings = {
    "host": "127.0.0.1",
    "port": args.port,
    "onebot_access_token": args.token or None,
    "api_timeout": 15,
    "log_level": "INFO",
}
if args.mode == "reverse-ws":
    settings["driver"] = "~fastapi"
else:
    # The HTTP client half (httpx) is what the adapter calls the API roots with.
    settings["driver"] = "~fastapi+~httpx"
    settings["onebot_secret"] = args.secret or None
    settings["onebot_api_roots"] = {str(args.self_id): args.api_root}
nonebot.init(**settings)
driver = nonebot.get_driver()
driver.register_adapter(Adapter)

class Recorder:
    """ASGI middleware that watches requests to /onebot/ and passes everything through unchanged."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or not scope.get("path", "").startswith("/onebot/"):
            return await self.app(scope, receive, send)
        headers = {}
        for name, value in scope.get("headers", []):
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        entry = {"type": scope["type"], "method": scope.get("method", "GET"), "path": scope["path"]}
        entry.update({name.replace("-", "_"): headers[name] for name in HEADERS if name in headers})
        entry["bearer_ok"] = headers.get("authorization") == f"Bearer {args.token}"
        if "x-signature" in headers:
            entry["x_signature_shape_ok"] = re.fullmatch(r"sha1=[0-9a-f]{40}", headers["x-signature"]) is not None
        requests_seen.append(entry)
        body = bytearray()

        async def watched_receive():
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    try:
                        event = json.loads(body)
                        entry["event"] = "/".join(
                            str(event.get(key))
                            for key in ("post_type", "meta_event_type", "notice_type", "sub_type")
                            if event.get(key) is not None
                        )
                    except ValueError:
                        entry["event"] = "(not JSON)"
            return message

        async def watched_send(message):
            kind = message["type"]
            if kind == "http.response.start":
                entry["status"] = message["status"]
            elif kind == "websocket.accept":
                entry["status"] = 101
            elif kind == "websocket.close" and "status" not in entry:
                entry["closed_before_accept"] = f"{message.get('code')} {message.get('reason', '')}"
            await send(message)

        return await self.app(scope, watched_receive, watched_send)


nonebot.get_app().add_middleware(Recorder)

upload_notices: "asyncio.Queue[GroupUploadNoticeEvent]" = asyncio.Queue()
heartbeats: "asyncio.Queue[HeartbeatMetaEvent]" = asyncio.Queue()
lifecycles: "asyncio.Queue[LifecycleMetaEvent]" = asyncio.Queue()
upload_matcher = on_notice(priority=1, block=False)
heartbeat_matcher = on_metaevent(priority=1, block=False)
lifecycle_matcher = on_metaevent(priority=1, block=False)


# The handlers' parameter types make NoneBot skip every other event.
@upload_matcher.handle()
async def on_group_upload(event: GroupUploadNoticeEvent):
    await upload_notices.put(event)


@heartbeat_matcher.handle()
async def on_heartbeat(event: HeartbeatMetaEvent):
    await heartbeats.put(event)


@lifecycle_matcher.handle()
async def on_lifecycle(event: LifecycleMetaEvent):
    result.setdefault("lifecycle", []).append(event.sub_type)
    await lifecycles.put(event)


async def call(bot, api, label=None, **params):
    """bot.call_api, remembering the step for the error message."""
    result["steps"].append(label or api)
    return await bot.call_api(api, **params)


async def next_event(queue, what, seconds=10, accept=lambda _: True):
    """The next event from `queue` that `accept` likes, within `seconds`."""
    result["steps"].append(what)
    deadline = time.monotonic() + seconds
    while True:
        try:
            event = await asyncio.wait_for(queue.get(), timeout=max(0.01, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            raise CheckFailed(f"no {what} within {seconds} s") from None
        if accept(event):
            return event


async def scenario(bot: Bot):
    group = args.group_id
    size = len(PAYLOAD)
    result["self_id"] = int(bot.self_id)
    check(int(bot.self_id) == args.self_id, f"bot appeared with self_id {bot.self_id}, expected {args.self_id}")

    login = await call(bot, "get_login_info")
    check(isinstance(login, dict) and login.get("user_id") == args.self_id, f"get_login_info returned {login!r}")
    result["login_user_id"] = login["user_id"]

    wanted_lifecycle = "connect" if args.mode == "reverse-ws" else "enable"
    await next_event(lifecycles, f"lifecycle {wanted_lifecycle}", accept=lambda e: e.sub_type == wanted_lifecycle)

    uploaded = await call(
        bot,
        "upload_group_file",
        group_id=group,
        file="base64://" + base64.b64encode(PAYLOAD).decode("ascii"),
        name=FILE_NAME,
    )
    check(isinstance(uploaded, dict), f"upload_group_file returned {uploaded!r}")
    file_id = uploaded.get("file_id")
    check(isinstance(file_id, str) and UUID_ID.match(file_id), f"file_id {file_id!r} is not '/'+uuid")
    check(uploaded.get("file_size") == size, f"upload file_size {uploaded.get('file_size')!r}, sent {size}")
    check(uploaded.get("sha256") == hashlib.sha256(PAYLOAD).hexdigest(), f"upload sha256 {uploaded.get('sha256')!r}")
    check(uploaded.get("md5") == hashlib.md5(PAYLOAD).hexdigest(), f"upload md5 {uploaded.get('md5')!r}")
    result.update(file_id=file_id, file_size=uploaded["file_size"], sha256=uploaded["sha256"])

    notice = await next_event(
        upload_notices, "GroupUploadNoticeEvent of the upload", accept=lambda e: e.file.id == file_id
    )
    notice_file = notice.file.model_dump()
    check(notice.group_id == group, f"notice group_id {notice.group_id}, want {group}")
    check(notice.user_id == args.self_id, f"notice user_id (uploader) {notice.user_id}, want {args.self_id}")
    check(notice_file.get("name") == FILE_NAME, f"notice file.name {notice_file.get('name')!r}, want {FILE_NAME!r}")
    check(notice_file.get("size") == size, f"notice file.size {notice_file.get('size')!r}, want {size}")
    result["notice"] = {
        "group_id": notice.group_id,
        "user_id": notice.user_id,
        "file_id": notice_file.get("id"),
        "name": notice_file.get("name"),
        "size": notice_file.get("size"),
        "busid": notice_file.get("busid"),
    }

    root = await call(bot, "get_group_root_files", group_id=group)
    listed = [f for f in (root or {}).get("files", []) if f.get("file_id") == file_id]
    check(len(listed) == 1, f"the root listing does not hold {file_id}: {root!r}")
    check(listed[0].get("file_name") == FILE_NAME, f"listed file_name {listed[0].get('file_name')!r}")
    check(listed[0].get("file_size") == size, f"listed file_size {listed[0].get('file_size')!r}")
    result["listed_name"] = listed[0]["file_name"]

    url_data = await call(bot, "get_group_file_url", group_id=group, file_id=file_id)
    url = url_data.get("url") if isinstance(url_data, dict) else None
    check(isinstance(url, str) and url.startswith("http"), f"get_group_file_url returned {url_data!r}")
    status, body = await asyncio.to_thread(fetch, url)
    check(status == 200, f"GET {url} answered {status}")
    check(body == PAYLOAD, f"GET {url} gave {len(body)} bytes that differ from the {size} uploaded")
    result["download_bytes_match"] = True

    deleted = await call(bot, "delete_group_file", group_id=group, file_id=file_id)
    check(deleted is None, f"delete_group_file returned {deleted!r}, want null")
    after = await call(bot, "get_group_root_files", "get_group_root_files (after delete)", group_id=group)
    check(
        not any(f.get("file_id") == file_id for f in (after or {}).get("files", [])),
        f"the root still lists {file_id} after delete_group_file: {after!r}",
    )
    result["deleted"] = True

    beat = await next_event(heartbeats, "HeartbeatMetaEvent")
    check(beat.status.online is True, f"heartbeat status {beat.status!r}")
    result["heartbeat_interval"] = beat.interval

    # Looked up only now: in http-post mode the bot appears before NoneBot has answered that request.
    summarize_requests()
    check("first_request" in result, f"no accepted request was recorded: {requests_seen[-3:]!r}")

    if args.shutdown_file:
        # The caller stops Trefoil when this file appears; a clean shutdown posts lifecycle disable.
        with open(args.shutdown_file, "w") as marker:
            marker.write("checks done\n")
        await next_event(lifecycles, "lifecycle disable", accept=lambda e: e.sub_type == "disable")
        result["disable_received"] = True

    result["steps"].append("done")
    result["ok"] = True


def stop_nonebot():
    """Asks uvicorn to shut down, the way Ctrl-C does."""
    os.kill(os.getpid(), signal.SIGINT)


@driver.on_bot_connect
async def on_connect(bot: Bot):
    result["appeared_after_s"] = round(time.monotonic() - started, 3)
    result["steps"].append("bot appeared")
    try:
        check(not args.expect_refused, "a bot appeared although Trefoil's posts carry the wrong signature")
        await scenario(bot)
    except Exception as error:  # a failed check, an ActionFailed or anything else, named
        record_failure(result, error)
    finally:
        summarize_requests()
        stop_nonebot()


async def watch_refusals():
    """--expect-refused: waits for a heartbeat post (Trefoil gave up on enable by then); all must be 403."""
    result["steps"].append("waiting for refused posts")
    try:
        while not any(r.get("event", "").startswith("meta_event/heartbeat") for r in requests_seen):
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.2)  # let the heartbeat's answer be recorded
        posts = [r for r in requests_seen if r["method"] == "POST"]
        statuses = sorted({str(r.get("status")) for r in posts})
        result["refused_posts"] = len(posts)
        result["refused_statuses"] = statuses
        result["refused_events"] = sorted({r.get("event", "?") for r in posts})
        check(statuses == ["403"], f"NoneBot answered the wrongly signed posts with {statuses}, want only 403")
        check(not driver.bots, f"bots appeared: {list(driver.bots)}")
        result["steps"].append("done")
        result["ok"] = True
    except CheckFailed as error:
        result["error"] = f"{result['steps'][-1]}: {error}"
    finally:
        stop_nonebot()


background: set = set()  # keeps the watcher task referenced
if args.expect_refused:

    @driver.on_startup
    async def start_watching():
        background.add(asyncio.get_running_loop().create_task(watch_refusals()))


if __name__ == "__main__":
    try:
        nonebot.run()
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the SIGINT that stopped it once it has shut down
    result["elapsed_s"] = round(time.monotonic() - started, 3)
    result["requests_seen"] = len(requests_seen)
    if "error" not in result and not result["ok"]:
        result["error"] = "NoneBot stopped before the bot appeared"
    emit(result, 0 if result["ok"] else 1)
