"""What the Tests/e2e programs share: their one JSON result line, checks and how a failure is reported, the hard
timeout, NoneBot's log kept off standard output, plain downloads from loopback, and the set-up and run of a
forward WebSocket bot.

Each program imports this from its own folder (Python puts a script's folder first on ``sys.path``).
"""

import argparse
import hashlib
import json
import os
import sys
import threading
import time
import urllib.request

import nonebot
from nonebot.adapters.onebot.v11 import ActionFailed, Adapter
from nonebot.log import default_filter, default_format, logger


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def emit(result, status):
    """Prints the single JSON result line and exits without waiting for anything else."""
    sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def last_step(result, before_any):
    """The step the program reached, for an error message; `before_any` when there was none."""
    return result["steps"][-1] if result["steps"] else before_any


def record_failure(result, error):
    """Puts `error` into the result as the error of the step reached, naming anything but a failed check."""
    step = last_step(result, "start")
    if isinstance(error, CheckFailed):
        result["error"] = f"{step}: {error}"
    elif isinstance(error, ActionFailed):
        result["error"] = f"{step}: unexpected {error!r}"
    else:
        result["error"] = f"{step}: {type(error).__name__}: {error!r}"


def start_hard_timeout(seconds, fire):
    """Calls `fire` (which emits) after `seconds` unless the program has exited by then."""
    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


def log_to_stderr():
    """NoneBot logs to standard output by default; keep standard output for the result line."""
    logger.remove()
    logger.add(sys.stderr, level=0, diagnose=False, filter=default_filter, format=default_format, colorize=False)


def _open(url, timeout):
    """GET with plain urllib, never through a proxy (only loopback is ever addressed)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=timeout)


def fetch(url, timeout=10):
    """GET: the status and the whole body."""
    with _open(url, timeout) as response:
        return response.status, response.read()


def fetch_digest(url, timeout=60):
    """GET of a large body, read in pieces: the status, the length and the sha256."""
    digest = hashlib.sha256()
    length = 0
    with _open(url, timeout) as response:
        while block := response.read(1 << 20):
            digest.update(block)
            length += len(block)
        return response.status, length, digest.hexdigest()


def forward_ws_parser(description, timeout):
    """The options of a forward WebSocket program, each falling back to its TREFOIL_E2E_* environment variable."""
    env = os.environ.get
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--ws-url", default=env("TREFOIL_E2E_WS_URL"))
    parser.add_argument("--token", default=env("TREFOIL_E2E_TOKEN", ""))
    parser.add_argument("--group-id", type=int, default=int(env("TREFOIL_E2E_GROUP_ID", "123456")))
    parser.add_argument("--self-id", type=int, default=int(env("TREFOIL_E2E_SELF_ID", "10000")))
    parser.add_argument("--timeout", type=float, default=float(env("TREFOIL_E2E_TIMEOUT", str(timeout))))
    return parser


def parse_forward_ws(parser):
    """Parses the options; a missing WebSocket URL is a bad-arguments result line (exit 2)."""
    args = parser.parse_args()
    if not args.ws_url:
        parser.print_usage(sys.stderr)
        emit({"ok": False, "error": "no WebSocket URL: pass --ws-url or set TREFOIL_E2E_WS_URL"}, 2)
    return args


def start_forward_ws(args, result, api_timeout):
    """Arms the hard timeout (exit 3), keeps NoneBot's log off standard output and sets NoneBot2 up as a forward
    WebSocket client (driver ``~websockets``) of ``args.ws_url``; returns the driver. Matchers go after this."""

    def hard_timeout():
        result["error"] = (
            f"hard timeout after {args.timeout:.0f} s; last step reached: "
            f"{last_step(result, 'none (the bot never connected)')}"
        )
        emit(result, 3)

    start_hard_timeout(args.timeout, hard_timeout)
    log_to_stderr()
    nonebot.init(
        driver="~websockets",
        onebot_ws_urls=[args.ws_url],
        onebot_access_token=args.token or None,
        api_timeout=api_timeout,
        log_level="INFO",
    )
    driver = nonebot.get_driver()
    driver.register_adapter(Adapter)
    return driver


def run_forward_ws(driver, result, started, scenario):
    """Runs NoneBot until ``scenario(bot)`` has run on the connected bot, then emits the result line and exits (0 when
    the scenario set ``ok``, else 1)."""

    @driver.on_bot_connect
    async def on_connect(bot):
        result["connected_after_s"] = round(time.monotonic() - started, 3)
        result["steps"].append("bot connected")
        try:
            await scenario(bot)
        except Exception as error:  # a failed check, an ActionFailed or anything else, named
            record_failure(result, error)
        finally:
            driver.exit()

    nonebot.run()
    result["elapsed_s"] = round(time.monotonic() - started, 3)
    if "error" not in result and not result["ok"]:
        result["error"] = "NoneBot stopped before the bot connected"
    emit(result, 0 if result["ok"] else 1)
