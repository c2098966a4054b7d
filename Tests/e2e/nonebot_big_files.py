"""End-to-end check of Trefoil's big-file actions with a real bot framework.

NoneBot2 (driver ``~websockets``) and its OneBot V11 adapter connect to a running Trefoil as a forward
WebSocket client and, through ``bot.call_api`` alone, send one file of known bytes (64 MiB by default) twice:

1. with OneBot 12's ``upload_file_fragmented`` (prepare, base64 fragments of 4 MiB one after another,
   finish with the sha256), then ``upload_group_file`` with the staged id as ``file``; the stored sha256
   must be hashlib's and a GET of the returned url must give the same bytes;
2. with NapCat's ``upload_file_stream`` (base64 chunks of 1 MiB, then ``is_complete``), then
   ``upload_group_file`` with the returned ``file_path`` as ``file``; the same checks;
3. the staged id of step 1 used again in a second group: another group file with the same sha256 and bytes.

Usage (each option falls back to the environment variable named beside it):

    python nonebot_big_files.py --ws-url ws://127.0.0.1:PORT/   (TREFOIL_E2E_WS_URL, required)
                                --token TOKEN                   (TREFOIL_E2E_TOKEN, default "")
                                --group-id 123456               (TREFOIL_E2E_GROUP_ID, default 123456)
                                --second-group-id 654321        (TREFOIL_E2E_SECOND_GROUP_ID, default 654321)
                                --self-id 10000                 (TREFOIL_E2E_SELF_ID, default 10000)
                                --size 67108864                 (TREFOIL_E2E_SIZE, bytes, default 64 MiB)
                                --timeout 170                   (TREFOIL_E2E_TIMEOUT, seconds, default 170)

The result line on standard output, the exit statuses and the clean working directory NoneBot needs are as
nonebot_forward_ws.py describes them.
"""

import base64
import hashlib
import os
import random
import re
import time
import uuid

from nonebot.adapters.onebot.v11 import Bot

from e2e_support import check, emit, fetch_digest, forward_ws_parser, parse_forward_ws, run_forward_ws, start_forward_ws

UUID_ID = re.compile(r"^/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PENDING_ID = re.compile(r"^[0-9a-f]{32}$")
FRAGMENT = 4 << 20  # upload_file_fragmented, as a bot sending a big file picks it
CHUNK = 1 << 20  # upload_file_stream
FRAGMENTED_NAME = "big fragmented \u5927\u6587\u4ef6.bin"
STREAMED_NAME = "big streamed.bin"


def parse_args():
    env = os.environ.get
    parser = forward_ws_parser(__doc__.split("\n\n")[0], timeout=170)
    parser.add_argument("--second-group-id", type=int, default=int(env("TREFOIL_E2E_SECOND_GROUP_ID", "654321")))
    parser.add_argument("--size", type=int, default=int(env("TREFOIL_E2E_SIZE", str(64 << 20))))
    args = parse_forward_ws(parser)
    if args.size < 1:
        emit({"ok": False, "error": f"--size {args.size}: the file needs at least one byte"}, 2)
    return args


args = parse_args()
started = time.monotonic()
result = {"ok": False, "steps": []}
driver = start_forward_ws(args, result, api_timeout=60)

# Known bytes that no filesystem or link can special-case: seeded random, the same on every run.
PAYLOAD = random.Random(15).randbytes(args.size)
EXPECTED = {
    "size": len(PAYLOAD),
    "md5": hashlib.md5(PAYLOAD).hexdigest(),
    "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
}


async def call(bot, api, label, **params):
    """bot.call_api, remembering the step for the error message (a repeated step is recorded once)."""
    if not result["steps"] or result["steps"][-1] != label:
        result["steps"].append(label)
    return await bot.call_api(api, **params)


def b64(offset, length):
    return base64.b64encode(PAYLOAD[offset : offset + length]).decode("ascii")


async def to_group_file(bot, group, file, name, label):
    """upload_group_file with a staged id as `file`; checks the answer and the bytes behind its url."""
    uploaded = await call(bot, "upload_group_file", label, group_id=group, file=file, name=name)
    check(isinstance(uploaded, dict), f"{label} returned {uploaded!r}")
    file_id = uploaded.get("file_id")
    check(isinstance(file_id, str) and UUID_ID.match(file_id), f"{label}: file_id {file_id!r} is not '/'+uuid")
    for key in ("sha256", "md5"):
        check(uploaded.get(key) == EXPECTED[key], f"{label}: {key} {uploaded.get(key)!r}, hashlib says {EXPECTED[key]}")
    check(uploaded.get("file_size") == EXPECTED["size"], f"{label}: file_size {uploaded.get('file_size')!r}")
    url = uploaded.get("url")
    if not isinstance(url, str):
        url = (await call(bot, "get_group_file_url", label + " url", group_id=group, file_id=file_id)).get("url")
    check(isinstance(url, str) and url.startswith("http"), f"{label}: no url to download ({uploaded!r})")
    result["steps"].append(label + " download")
    status, length, digest = fetch_digest(url)
    check(status == 200, f"{label}: GET {url} answered {status}")
    check(length == EXPECTED["size"], f"{label}: GET {url} gave {length} bytes, not {EXPECTED['size']}")
    check(digest == EXPECTED["sha256"], f"{label}: GET {url} gave bytes whose sha256 is {digest}")
    return {
        "group_id": group,
        "file_id": file_id,
        "name": uploaded.get("file_name", name),
        "file_size": uploaded["file_size"],
        "sha256": uploaded["sha256"],
        "download_sha256": digest,
    }


async def fragmented(bot):
    """OneBot 12's upload_file_fragmented, the way its spec describes a bot sending a big file."""
    size = EXPECTED["size"]
    prepared = await call(
        bot,
        "upload_file_fragmented",
        "upload_file_fragmented prepare",
        stage="prepare",
        name=FRAGMENTED_NAME,
        total_size=size,
    )
    pending = prepared.get("file_id") if isinstance(prepared, dict) else None
    check(isinstance(pending, str) and PENDING_ID.match(pending), f"prepare returned {prepared!r}")
    fragments = 0
    for offset in range(0, size, FRAGMENT):
        result["offset"] = offset
        sent = await call(
            bot,
            "upload_file_fragmented",
            "upload_file_fragmented transfer",
            stage="transfer",
            file_id=pending,
            offset=offset,
            data=b64(offset, FRAGMENT),
        )
        check(sent is None, f"transfer at {offset} returned {sent!r}, want null")
        fragments += 1
    result.pop("offset", None)
    finished = await call(
        bot,
        "upload_file_fragmented",
        "upload_file_fragmented finish",
        stage="finish",
        file_id=pending,
        sha256=EXPECTED["sha256"],
    )
    check(isinstance(finished, dict), f"finish returned {finished!r}")
    staged = finished.get("file_id")
    check(isinstance(staged, str) and UUID_ID.match(staged), f"finish file_id {staged!r} is not '/'+uuid")
    check(finished.get("file") == staged, f"finish file {finished.get('file')!r} is not its file_id {staged}")
    for key in ("sha256", "md5"):
        check(finished.get(key) == EXPECTED[key], f"finish {key} {finished.get(key)!r}, hashlib says {EXPECTED[key]}")
    check(finished.get("file_size") == size, f"finish file_size {finished.get('file_size')!r}, sent {size}")
    result["fragmented"] = {
        "fragments": fragments,
        "staged_id": staged,
        "sha256": finished["sha256"],
        "file_size": finished["file_size"],
    }
    return staged


async def streamed(bot):
    """NapCat's upload_file_stream: numbered chunks, then is_complete."""
    size = EXPECTED["size"]
    stream_id = str(uuid.uuid4())
    total = (size + CHUNK - 1) // CHUNK
    for index in range(total):
        result["chunk_index"] = index
        answer = await call(
            bot,
            "upload_file_stream",
            "upload_file_stream chunk",
            stream_id=stream_id,
            chunk_data=b64(index * CHUNK, CHUNK),
            chunk_index=index,
            total_chunks=total,
            file_size=size,
            expected_sha256=EXPECTED["sha256"],
            filename=STREAMED_NAME,
        )
        want = {
            "type": "stream",
            "stream_id": stream_id,
            "status": "chunk_received",
            "received_chunks": index + 1,
            "total_chunks": total,
        }
        check(
            isinstance(answer, dict) and all(answer.get(k) == v for k, v in want.items()),
            f"chunk {index} answered {answer!r}, want {want!r}",
        )
    result.pop("chunk_index", None)
    done = await call(
        bot, "upload_file_stream", "upload_file_stream is_complete", stream_id=stream_id, is_complete=True
    )
    check(isinstance(done, dict), f"is_complete returned {done!r}")
    want = {
        "type": "response",
        "stream_id": stream_id,
        "status": "file_complete",
        "received_chunks": total,
        "total_chunks": total,
        "file_size": size,
        "sha256": EXPECTED["sha256"],
    }
    check(all(done.get(k) == v for k, v in want.items()), f"is_complete answered {done!r}, want {want!r}")
    path = done.get("file_path")
    check(isinstance(path, str) and UUID_ID.match(path), f"file_path {path!r} is not a staged id ('/'+uuid)")
    result["streamed"] = {"chunks": total, "file_path": path, "sha256": done["sha256"], "file_size": done["file_size"]}
    return path


async def scenario(bot: Bot):
    result["self_id"] = int(bot.self_id)
    check(int(bot.self_id) == args.self_id, f"bot connected with self_id {bot.self_id}, expected {args.self_id}")
    result["expected"] = EXPECTED

    staged = await fragmented(bot)
    result["fragmented_group_file"] = await to_group_file(
        bot, args.group_id, staged, FRAGMENTED_NAME, "upload_group_file (staged id)"
    )

    path = await streamed(bot)
    result["streamed_group_file"] = await to_group_file(
        bot, args.group_id, path, STREAMED_NAME, "upload_group_file (stream file_path)"
    )

    second = await to_group_file(
        bot, args.second_group_id, staged, FRAGMENTED_NAME, "upload_group_file (staged id, second group)"
    )
    check(
        second["file_id"] != result["fragmented_group_file"]["file_id"],
        f"the second group got the first group's file_id {second['file_id']}",
    )
    result["second_group_file"] = second

    result["steps"].append("done")
    result["ok"] = True


if __name__ == "__main__":
    run_forward_ws(driver, result, started, scenario)
