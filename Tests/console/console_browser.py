"""Drives Trefoil's web console in headless Chromium, as an admin would, against a live server; run by
Tests/TrefoilServerTests/Console/ConsoleBrowserTests.swift.

One browser session goes through the whole scenario, step after step; each step is a behaviour the Swift suite names
in a test. A failed step is recorded with its message (and a screenshot named failed-<step>.png) and the scenario
goes on, unless the steps after it cannot run without it. The last line of standard output is one JSON object: the
steps passed and failed, what was uploaded, the screenshots saved.

Selenium drives Debian's chromium through Debian's chromedriver, both named explicitly, so that Selenium Manager (which
would download a driver) never runs: nothing outside loopback is reachable in CI.
"""

import argparse
import hashlib
import html
import http.server
import json
import os
import signal
import sys
import tempfile
import threading
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW = (1280, 900)
# Generous: the machine running the tests is shared and may be busy; waits end as soon as their condition holds.
WAIT_SECONDS = 30


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


class Browser:
    """One headless Chromium with a fresh profile, its downloads going to `downloads`."""

    def __init__(self, work, downloads):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new",
            "--no-sandbox",  # the tests run as root in CI, where Chromium's sandbox refuses to start
            "--disable-dev-shm-usage",
            f"--user-data-dir={tempfile.mkdtemp(prefix='profile-', dir=work)}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "--force-device-scale-factor=1",
            "--lang=en-US",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ):
            options.add_argument(argument)
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": downloads,
                "download.prompt_for_download": False,
                "intl.accept_languages": "en-US,en",
            },
        )
        # The performance log holds every response's status: how a forged form post was answered is read there.
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        # Its own session: the hard timeout and a SIGTERM kill chromedriver and the browser it started together.
        service = Service(executable_path=CHROMEDRIVER, popen_kw={"start_new_session": True})
        self.service = service
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(WAIT_SECONDS * 2)
        self.driver.set_script_timeout(WAIT_SECONDS * 2)

    def kill(self):
        """Ends chromedriver and the browser at once (from the hard timeout or a signal)."""
        process = getattr(self.service, "process", None)
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            self.kill()

    def wait(self, condition, message, seconds=WAIT_SECONDS):
        """Waits until `condition(driver)` is truthy and returns it; fails with `message` when it never is."""
        try:
            return WebDriverWait(self.driver, seconds, poll_frequency=0.1).until(condition)
        except TimeoutException:
            raise CheckFailed(f"{message} (waited {seconds} s; at {self.driver.current_url})") from None

    def js(self, script, *arguments):
        return self.driver.execute_script(script, *arguments)

    def statuses(self, url):
        """The HTTP statuses of the responses to `url` since the last call, from Chromium's performance log."""
        found = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.responseReceived":
                response = message["params"]["response"]
                if response.get("url") == url:
                    found.append(response.get("status"))
        return found

    def no_horizontal_overflow(self):
        """Whether the page is no wider than the window (a table may scroll inside its own box)."""
        return self.js(
            "const root = document.documentElement;"
            "return root.scrollWidth <= root.clientWidth && document.body.scrollWidth <= root.clientWidth;"
        )

    def wait_ready(self):
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the page never loaded")

    def open(self, url):
        self.driver.get(url)
        self.wait_ready()


class OtherOrigin:
    """A page server on another loopback port: another origin (the port differs) but the same site, so the browser
    sends the console's SameSite=Strict cookie with what its pages submit; only the CSRF token can stop a forgery."""

    def __init__(self):
        pages = self.pages = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path, body):
        """Serves `body` at `path`; returns its URL."""
        self.pages[path] = "<!doctype html><meta charset=utf-8><title>elsewhere</title>" + body
        return self.base + path


def form_page(action, fields):
    """A page with one form posting `fields` to `action`, submitted by its button (#forge)."""
    inputs = "".join(
        f'<input type=hidden name="{html.escape(name)}" value="{html.escape(value)}">' for name, value in fields
    )
    return f'<form method=post action="{html.escape(action)}">{inputs}<button id=forge>win a prize</button></form>'


def fetch_page(action, fields):
    """A page that posts `fields` to `action` with fetch, cookies included, when its button (#forge) is pressed; the
    answer is opaque to it (no CORS), so #done only says that the request went."""
    body = json.dumps([[name, value] for name, value in fields])
    return (
        "<button id=forge>win a prize</button><p id=done></p><script>"
        "document.getElementById('forge').onclick = () => fetch(" + json.dumps(action) + ", {method: 'POST', "
        "mode: 'no-cors', credentials: 'include', body: new URLSearchParams(" + body + ")})"
        ".then(() => { document.getElementById('done').textContent = 'sent' }, "
        "e => { document.getElementById('done').textContent = 'failed: ' + e });</script>"
    )


class Scenario:
    """The steps, in order, sharing one browser and what the earlier steps found."""

    def __init__(self, args, browser, work, downloads):
        self.args = args
        self.browser = browser
        self.driver = browser.driver
        self.work = work
        self.downloads = downloads
        self.base = args.base.rstrip("/")
        self.result = {"ok": False, "passed": [], "failed": {}, "screenshots": [], "uploads": [], "steps": []}

    # MARK: running

    def run(self, steps):
        started = time.monotonic()
        for name, method, essential in steps:
            self.result["steps"].append(name)
            try:
                method()
                self.result["passed"].append(name)
            except Exception as error:  # a failed check, a WebDriver error or anything else, named
                self.result["failed"][name] = describe(error)
                self.save_failure(name)
                if essential:
                    self.result["error"] = f"{name}: {self.result['failed'][name]} (the steps after it need it)"
                    break
        self.result["seconds"] = round(time.monotonic() - started, 1)
        self.result["ok"] = not self.result["failed"]
        if self.result["failed"] and "error" not in self.result:
            self.result["error"] = "; ".join(f"{name}: {message}" for name, message in self.result["failed"].items())

    def screenshot(self, name):
        """Saves the window as `name`.png in the screenshot folder, for the README."""
        path = os.path.join(self.args.screenshots, name + ".png")
        check(self.driver.save_screenshot(path), f"the screenshot {path} was not saved")
        self.result["screenshots"].append(name + ".png")

    def save_failure(self, step):
        try:
            self.driver.save_screenshot(os.path.join(self.args.screenshots, f"failed-{step}.png"))
        except WebDriverException:
            pass

    # MARK: steps

    def health_page_loads(self):
        self.browser.open(self.base + "/health")
        text = self.browser.wait(
            lambda d: d.execute_script("return document.body && document.body.innerText.trim()"),
            "GET /health showed nothing",
        )
        check(text == "ok", f"GET /health showed {text[:200]!r}, not 'ok'")
        self.screenshot("00-health-endpoint")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def seeded_bytes(size, seed):
    """`size` bytes that do not compress, the same for the same seed."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def describe(error):
    if isinstance(error, CheckFailed):
        return str(error)
    if isinstance(error, WebDriverException):
        return f"{type(error).__name__}: {error.msg}"
    lines = traceback.format_exception_only(type(error), error)
    return "".join(lines).strip()


def emit(result, status):
    """Prints the single JSON result line and exits without waiting for anything else."""
    sys.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the server's root URL, http://127.0.0.1:PORT")
    parser.add_argument("--token", required=True)
    parser.add_argument("--screenshots", required=True, help="the folder the screenshots go to")
    parser.add_argument("--timeout", type=float, default=100, help="seconds before the run is given up")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="trefoil-console-")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)

    state = {"browser": None, "result": {"ok": False, "steps": []}}

    def give_up(reason, status):
        if state["browser"] is not None:
            state["browser"].kill()
        result = state["result"]
        steps = result.get("steps") or ["none"]
        result["error"] = f"{reason}; last step reached: {steps[-1]}"
        emit(result, status)

    timer = threading.Timer(args.timeout, give_up, (f"hard timeout after {args.timeout:.0f} s", 3))
    timer.daemon = True
    timer.start()
    signal.signal(signal.SIGTERM, lambda *_: give_up("stopped by SIGTERM", 4))

    try:
        browser = Browser(work, downloads)
    except WebDriverException as error:
        emit({"ok": False, "error": f"chromium did not start: {describe(error)}", "steps": []}, 1)
    state["browser"] = browser
    scenario = Scenario(args, browser, work, downloads)
    state["result"] = scenario.result
    scenario.run([("health_page_loads", scenario.health_page_loads, True)])
    timer.cancel()
    browser.quit()
    emit(scenario.result, 0 if scenario.result["ok"] else 1)


if __name__ == "__main__":
    main()
