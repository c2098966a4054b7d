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
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

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
            "--disable-dev-shm-usage",  # a container's /dev/shm is often too small for Chromium's shared memory
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
        # The performance log holds every response's status: how a forged form post was answered is read there. The
        # browser log holds the console's script errors and Content-Security-Policy violations.
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
            params = message.get("params", {})
            # A redirect's answer comes with the request it leads to; the last answer of a chain, by itself.
            if message.get("method") == "Network.requestWillBeSent":
                response = params.get("redirectResponse")
            elif message.get("method") == "Network.responseReceived":
                response = params.get("response")
            else:
                continue
            if response and response.get("url") == url:
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
        self.elsewhere = OtherOrigin()
        self.result = {"ok": False, "passed": [], "failed": {}, "screenshots": [], "uploads": [], "steps": []}

    # MARK: running

    def run(self, steps):
        started = time.monotonic()
        for name, essential in steps:
            self.result["steps"].append(name)
            try:
                getattr(self, name)()
                self.result["passed"].append(name)
            except Exception as error:  # a failed check, a WebDriver error or anything else, named
                self.result["failed"][name] = describe(error)
                self.save_failure(name)
                self.dismiss_dialog()
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

    def dismiss_dialog(self):
        """A confirm left open by a failed step would block every later command."""
        try:
            self.driver.switch_to.alert.dismiss()
        except WebDriverException:
            pass

    # MARK: page helpers

    def element(self, css, within=None):
        """The first element matching `css`, waited for."""
        root = within or self.driver
        return self.browser.wait(
            lambda d: next(iter(root.find_elements(By.CSS_SELECTOR, css)), None), f"no element {css} on the page"
        )

    def elements(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        return self.element(css).text.strip()

    def row(self, table, name, kind=None):
        """The row of `table` whose data-name is `name` (names may hold any character, so they are compared in
        Python rather than put into a selector), or None."""
        for row in self.elements(f"{table} tr[data-name]"):
            if row.get_attribute("data-name") == name and (kind is None or row.get_attribute("data-kind") == kind):
                return row
        return None

    def wait_row(self, table, name, kind=None):
        return self.browser.wait(lambda _: self.row(table, name, kind), f"no row named {name!r} in {table}")

    def follow(self, action, what):
        """Runs `action` (a click, a key press) and waits for the page it leads to to load."""
        self.browser.js("window.__consoleTestOldPage = true;")
        action()
        self.browser.wait(
            lambda d: d.execute_script(
                "return window.__consoleTestOldPage === undefined && document.readyState === 'complete'"
            ),
            f"{what} did not lead to a new page",
        )

    def click_through(self, css_or_element, what):
        element = self.element(css_or_element) if isinstance(css_or_element, str) else css_or_element
        self.follow(element.click, what)

    def notice(self):
        return self.text("#notice")

    def expect_no_image_from(self, name, where):
        """No element the name could have made: no <img> at all (the console shows none), no alert."""
        images = self.browser.js("return Array.from(document.images).map(i => i.outerHTML)")
        check(not images, f"{where}: the page has img elements {images}")
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            raise CheckFailed(f"{where}: an alert opened: {text!r}")
        except WebDriverException:
            pass
        check(name in self.browser.js("return document.body.innerText"), f"{where}: {name!r} is not shown as text")

    def group_page(self, folder=None):
        url = f"{self.base}/console/group?id={self.args.group_id}"
        self.browser.open(url if folder is None else url + f"&folder={folder}")
        self.element("#tree-table")

    def manage(self, name, kind="file"):
        """Opens the item page of the row named `name` in the folder shown."""
        row = self.wait_row("#tree-table", name, kind)
        self.click_through(row.find_element(By.CSS_SELECTOR, "a.manage"), f"manage {name!r}")
        check(self.text("#item-name") == name, f"the item page shows {self.text('#item-name')!r}, not {name!r}")

    def in_window(self, width, height, body):
        self.driver.set_window_size(width, height)
        try:
            return body()
        finally:
            self.driver.set_window_size(*WINDOW)

    # MARK: steps

    def wrong_token_refused(self):
        self.browser.open(self.base + "/console/")
        self.browser.wait(
            lambda d: d.current_url.startswith(self.base + "/console/sign-in"),
            "GET /console/ without a session did not lead to the sign-in page",
        )
        self.element("#sign-in-form")
        self.screenshot("01-sign-in")
        self.browser.statuses(self.base + "/console/sign-in")
        self.element("#token").send_keys("not-" + self.args.token)
        self.click_through("#sign-in", "signing in with a wrong token")
        error = self.text("#error")
        check(error == "That is not the right token or password.", f"the refusal says {error!r}")
        check(self.element("#error").is_displayed(), "the refusal is not visible")
        statuses = self.browser.statuses(self.base + "/console/sign-in")
        check(statuses == [401], f"the wrong token's POST was answered {statuses}, not [401]")
        check(not self.driver.get_cookie("trefoil_console"), "a wrong token was given a session cookie")

    def keyboard_sign_in(self):
        self.browser.open(self.base + "/console/sign-in")
        # From the top of the page, as a keyboard user arrives: Tab until the token field, type, Enter.
        self.browser.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
        presses = 0
        while self.browser.js("return document.activeElement && document.activeElement.id") != "token":
            check(presses < 10, "ten presses of Tab did not reach the token field")
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            presses += 1
        ActionChains(self.driver).send_keys(self.args.token).perform()
        self.follow(lambda: ActionChains(self.driver).send_keys(Keys.ENTER).perform(), "Enter in the token field")
        check(self.driver.current_url == self.base + "/console/", f"signed in to {self.driver.current_url}")
        check(self.text("h1") == "Overview", f"the page after signing in is {self.text('h1')!r}")
        cookie = self.driver.get_cookie("trefoil_console") or {}
        flags = {key: cookie.get(key) for key in ("httpOnly", "sameSite", "path")}
        check(flags["httpOnly"] is True, f"the session cookie is not HttpOnly: {flags}")
        check(flags["sameSite"] == "Strict", f"the session cookie is not SameSite=Strict: {flags}")
        self.result["tab_presses"] = presses

    def overview_lists_bot(self):
        self.browser.open(self.base + "/console/")
        rows = self.browser.wait(lambda _: self.elements("#connections tr[data-role]"), "no connection is listed")
        cells = [[cell.text.strip() for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows]
        check(len(cells) == 1, f"the overview lists {cells}, not the one bot")
        direction, role, address, since = cells[0]
        check(rows[0].get_attribute("data-role") == "universal", f"the bot's role is {cells[0]}")
        check(direction == "forward" and role == "universal", f"the bot is listed as {cells[0]}")
        check(address.startswith("127.0.0.1:"), f"the bot's address is {address!r}")
        check(since, "the bot's since-when is empty")
        groups = self.text('#totals [data-stat="groups"] .value')
        check(groups == str(self.args.groups), f"the overview counts {groups!r} groups, not {self.args.groups}")
        self.result["bot_row"] = cells[0]
        self.screenshot("02-overview")

    def groups_table(self):
        self.click_through("#nav-groups", "the Groups link")
        self.element("#groups-table")
        self.click_through('#groups-table a[data-sort="usage"]', "sorting by usage")
        if self.element('#groups-table a[data-sort="usage"]').find_element(By.XPATH, "..").get_attribute(
            "aria-sort"
        ) != "descending":
            self.click_through('#groups-table a[data-sort="usage"]', "sorting by usage again")
        header = self.element('#groups-table a[data-sort="usage"]').find_element(By.XPATH, "..")
        check(header.get_attribute("aria-sort") == "descending", "the usage column is not sorted descending")
        order = [row.get_attribute("data-group") for row in self.elements("#groups-table tr[data-group]")]
        expected = self.args.groups_by_usage.split(",")
        check(order == expected, f"by usage, descending, the groups are {order}, not {expected}")
        self.screenshot("03-groups")
        query = self.element("#group-query")
        query.clear()
        query.send_keys(expected[-1])
        self.follow(lambda: query.send_keys(Keys.ENTER), "searching the groups")
        found = [row.get_attribute("data-group") for row in self.elements("#groups-table tr[data-group]")]
        check(found == [expected[-1]], f"searching for {expected[-1]} found {found}")

    def group_opens(self):
        link = self.element(f'#groups-table tr[data-group="{self.args.group_id}"] a.group-link')
        self.click_through(link, f"group {self.args.group_id}'s link")
        check(
            self.driver.current_url == f"{self.base}/console/group?id={self.args.group_id}",
            f"the group's link led to {self.driver.current_url}",
        )
        crumbs = [item.text.strip() for item in self.elements("#breadcrumbs li")]
        check(crumbs[0] == "Groups" and str(self.args.group_id) in crumbs[-1], f"the breadcrumbs are {crumbs}")
        for name in (self.args.xss_name, self.args.doomed_name):
            self.wait_row("#tree-table", name, "file")

    def file_name_renders_as_text(self):
        name = self.args.xss_name
        self.group_page()
        link = self.wait_row("#tree-table", name, "file").find_element(By.CSS_SELECTOR, "a.download")
        check(link.text == name, f"the tree shows {link.text!r}, not the name")
        check(not link.find_elements(By.XPATH, "*"), "the name's link holds elements")
        self.expect_no_image_from(name, "the group's tree")
        self.manage(name)
        self.expect_no_image_from(name, "the item page")
        self.browser.open(self.base + "/console/")
        names = [cell.text for cell in self.elements("#events tr[data-event] td:nth-child(4)")]
        check(name in names, f"the overview's events do not name the file: {names[:5]}")
        self.expect_no_image_from(name, "the overview")

    def upload_two_files_with_progress(self):
        files = []
        for index, name in enumerate((self.args.first_upload, self.args.second_upload)):
            content = seeded_bytes((384 << 10) - index * (128 << 10), seed=name)
            path = os.path.join(self.work, "pick", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as file:
                file.write(content)
            files.append(path)
            self.result["uploads"].append(
                {"name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            )
        self.group_page()
        # Every state each progress bar goes through, kept in sessionStorage: the page reloads itself once the
        # uploads are done, and the record must outlive it.
        self.browser.js(
            """
            sessionStorage.setItem('uploadLog', '[]');
            const list = document.getElementById('upload-list');
            const note = (item) => {
              const bar = item.querySelector('progress.upload-progress');
              const log = JSON.parse(sessionStorage.getItem('uploadLog'));
              log.push({name: item.dataset.name, state: item.dataset.state, shown: !!bar && bar.offsetWidth > 0,
                        value: bar ? bar.value : null, max: bar ? bar.max : null});
              sessionStorage.setItem('uploadLog', JSON.stringify(log));
            };
            new MutationObserver((records) => {
              for (const record of records) {
                const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
                const item = node && node.closest('li.upload');
                if (item) note(item);
                for (const added of record.addedNodes) if (added.matches && added.matches('li.upload')) note(added);
              }
            }).observe(list, {subtree: true, childList: true, attributes: true,
                              attributeFilter: ['data-state', 'value', 'max']});
            """
        )
        # Slow uploads down so that a bar is seen (and photographed) moving; loopback would finish at once.
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 128 << 10},
        )
        try:
            self.browser.js("window.__consoleTestOldPage = true;")
            self.element("#upload-input").send_keys("\n".join(files))
            moving = self.browser.wait(
                lambda _: self.browser.js(
                    "const bar = document.querySelector('li.upload[data-state=uploading] progress.upload-progress');"
                    "return bar && bar.value > 0 && bar.value < bar.max ? bar.value / bar.max : null;"
                ),
                "no progress bar was seen part-way",
            )
            self.result["progress_seen"] = round(moving, 3)
            self.screenshot("04-group-upload")
            self.browser.wait(
                lambda d: d.execute_script(
                    "return window.__consoleTestOldPage === undefined && document.readyState === 'complete'"
                ),
                "the page did not reload after the uploads",
                seconds=WAIT_SECONDS * 2,
            )
        finally:
            self.driver.execute_cdp_cmd(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
        log = json.loads(self.browser.js("return sessionStorage.getItem('uploadLog')") or "[]")
        for upload in self.result["uploads"]:
            seen = [entry for entry in log if entry["name"] == upload["name"]]
            check(seen, f"no progress bar for {upload['name']!r}; seen {log}")
            check(any(entry["shown"] for entry in seen), f"{upload['name']!r}'s progress bar was never visible")
            check(
                any(0 < entry["value"] < entry["max"] for entry in seen),
                f"{upload['name']!r}'s progress bar never stood part-way: {seen[-3:]}",
            )
            last = seen[-1]
            check(
                last["state"] == "done" and last["value"] == last["max"] == upload["size"],
                f"{upload['name']!r} ended {last}, not done with the bar full at {upload['size']}",
            )
            row = self.wait_row("#tree-table", upload["name"], "file")
            check(row.get_attribute("data-size") == str(upload["size"]), f"{upload['name']!r} is listed {row.text}")
        self.result["progress_states"] = sorted({entry["state"] for entry in log})

    def create_folder(self):
        self.group_page()
        self.element("#folder-name").send_keys(self.args.folder)
        self.click_through("#create-folder", "creating a folder")
        check(self.notice() == f"Folder “{self.args.folder}” created.", f"the page says {self.notice()!r}")
        self.wait_row("#tree-table", self.args.folder, "folder")

    def move_file_into_folder(self):
        name = self.args.second_upload
        self.group_page()
        self.manage(name)
        select = Select(self.element("#move-target"))
        labels = [option.text.strip() for option in select.options]
        targets = [label for label in labels if label.strip("/") == self.args.folder]
        check(len(targets) == 1, f"the move targets are {labels}")
        select.select_by_visible_text(targets[0])
        self.click_through("#move", "moving the file")
        check(self.notice() == f"“{name}” moved.", f"the page says {self.notice()!r}")
        self.group_page()
        check(self.row("#tree-table", name) is None, f"{name!r} is still in the root")
        folder = self.wait_row("#tree-table", self.args.folder, "folder")
        self.click_through(folder.find_element(By.CSS_SELECTOR, "a.open-folder"), "opening the folder")
        crumbs = [item.text.strip() for item in self.elements("#breadcrumbs li")]
        check(crumbs[-1] == self.args.folder, f"inside the folder the breadcrumbs are {crumbs}")
        self.wait_row("#tree-table", name, "file")
        self.result["folder_url"] = self.driver.current_url

    def rename_file(self):
        old, new = self.args.second_upload, self.args.renamed
        self.browser.open(self.result["folder_url"])
        self.manage(old)
        field = self.element("#new-name")
        field.clear()
        field.send_keys(new)
        self.click_through("#rename", "renaming the file")
        check(self.notice() == f"Renamed to “{new}”.", f"the page says {self.notice()!r}")
        self.browser.open(self.result["folder_url"])
        self.wait_row("#tree-table", new, "file")
        check(self.row("#tree-table", old) is None, f"{old!r} is still listed")

    def biggest_files(self):
        """The group's biggest files from every folder, biggest first, reached from the group's page."""
        self.group_page()
        self.click_through("#biggest-files", "the biggest files link")
        rows = self.browser.wait(lambda _: self.elements("#biggest-table tr.file-row"), "no biggest files are listed")
        listed = [(row.get_attribute("data-name"), int(row.get_attribute("data-size"))) for row in rows]
        expected = sorted(listed, key=lambda item: -item[1])
        check(listed == expected, f"the biggest files are not biggest first: {listed}")
        names = [name for name, _ in listed]
        wanted = [self.args.first_upload, self.args.renamed, self.args.doomed_name, self.args.xss_name]
        check(names == wanted, f"the biggest files are {names}, not {wanted}")
        folder = rows[1].find_elements(By.TAG_NAME, "td")[2].text.strip()
        check(folder.strip("/") == self.args.folder, f"{self.args.renamed!r} is listed in folder {folder!r}")
        self.screenshot("05-biggest-files")

    def delete_asks_first(self):
        name = self.args.doomed_name
        self.group_page()
        self.manage(name)
        item_page = self.driver.current_url
        self.element("#delete").click()
        alert = self.browser.wait(lambda d: EC.alert_is_present()(d), "deleting did not ask first")
        check(name in alert.text, f"the question does not name the file: {alert.text!r}")
        alert.dismiss()
        check(self.driver.current_url == item_page, "cancelling the question still left the page")
        self.group_page()
        self.wait_row("#tree-table", name, "file")
        self.manage(name)
        self.browser.js("window.__consoleTestOldPage = true;")
        self.element("#delete").click()
        self.browser.wait(lambda d: EC.alert_is_present()(d), "deleting did not ask first").accept()
        self.browser.wait(
            lambda d: d.execute_script(
                "return window.__consoleTestOldPage === undefined && document.readyState === 'complete'"
            ),
            "confirming the delete did not lead to a new page",
        )
        check(self.notice() == f"“{name}” deleted.", f"the page says {self.notice()!r}")
        check(self.row("#tree-table", name) is None, f"{name!r} is still listed")

    def download_matches(self):
        upload = self.result["uploads"][0]
        self.group_page()
        row = self.wait_row("#tree-table", upload["name"], "file")
        row.find_element(By.CSS_SELECTOR, "a.download").click()
        path = os.path.join(self.downloads, upload["name"])
        self.browser.wait(
            lambda _: os.path.exists(path) and not any(n.endswith(".crdownload") for n in os.listdir(self.downloads)),
            f"{upload['name']!r} was not downloaded; the folder holds {os.listdir(self.downloads)}",
        )
        check(os.path.getsize(path) == upload["size"], f"the download has {os.path.getsize(path)} bytes")
        check(sha256_file(path) == upload["sha256"], "the downloaded bytes differ from the uploaded ones")

    def forged_posts_refused(self):
        """Pages elsewhere post the delete form's fields. From another origin of the same site (another loopback
        port) the session cookie goes along, and only the CSRF token, missing or another, stops them: 403. From
        another site (a data: URL page) the SameSite=Strict cookie stays home: no session, 401, even with the right
        token."""
        name = self.args.first_upload
        self.group_page()
        self.manage(name)
        form = self.element("#delete-form")
        action = form.get_attribute("action")
        fields = [
            (field.get_attribute("name"), field.get_attribute("value"))
            for field in form.find_elements(By.CSS_SELECTOR, "input[type=hidden]")
        ]
        check(any(key == "csrf" for key, _ in fields), f"the delete form has no csrf field: {fields}")
        without = [(key, value) for key, value in fields if key != "csrf"]
        wrong = without + [("csrf", "0" * 64)]
        self.browser.statuses(action)
        answers, expected = {}, {}
        for label, page, status in (
            ("form without token", form_page(action, without), 403),
            ("fetch without token", fetch_page(action, without), 403),
            ("fetch with another token", fetch_page(action, wrong), 403),
            ("form on another site", form_page(action, fields), 401),
        ):
            expected[label] = [status]
            if label.endswith("another site"):
                self.browser.open("data:text/html;charset=utf-8," + urllib.parse.quote(page))
            else:
                self.browser.open(self.elsewhere.page(f"/{len(answers)}", page))
            if label.startswith("form"):
                self.follow(self.element("#forge").click, "submitting the forged form")
            else:
                self.element("#forge").click()
                done = self.browser.wait(lambda _: self.text("#done"), "the forged fetch never finished")
                check(done == "sent", f"the forged fetch {done}")
            answers[label] = self.browser.wait(lambda _: self.browser.statuses(action), f"no answer to the {label}")
        self.result["forged_answers"] = answers
        check(answers == expected, f"the forged posts were answered {answers}, not {expected}")
        self.group_page()
        self.wait_row("#tree-table", name, "file")

    def private_files(self):
        self.browser.open(self.base + "/console/")
        self.click_through("#nav-users", "the Private files link")
        link = self.element(f'#spaces-table tr[data-owner="{self.args.user_id}"] a.space-link')
        self.click_through(link, "the user's link")
        row = self.wait_row("#space-files", self.args.private_name)
        check(row.is_displayed(), "the private file's row is hidden")
        self.screenshot("06-private-files")

    def health_check(self):
        self.click_through("#nav-health", "the Health link")
        self.element('#maintenance-runs tr[data-run="startup"]')
        self.click_through("#run-check", "running the consistency check")
        result = self.element("#check-result")
        check(result.get_attribute("data-clean") == "true", f"the live check found problems: {result.text!r}")
        self.screenshot("07-health")

    def chinese_and_back(self):
        self.browser.open(self.base + "/console/")
        switch = self.element("#lang-switch")
        check(switch.get_attribute("data-lang") == "zh", f"the switch goes to {switch.get_attribute('data-lang')!r}")
        self.click_through(switch, "the language switch")
        lang, title = self.browser.js("return document.documentElement.lang"), self.text("h1")
        check(lang == "zh-CN" and title == "概览", f"after the switch: lang {lang!r}, title {title!r}")
        check(self.text("#nav-groups") == "群文件", f"the Groups link reads {self.text('#nav-groups')!r}")
        self.screenshot("08-overview-zh")
        self.click_through("#lang-switch", "the language switch back")
        lang, title = self.browser.js("return document.documentElement.lang"), self.text("h1")
        check(lang == "en" and title == "Overview", f"switched back: lang {lang!r}, title {title!r}")

    def narrow_window(self):
        pages = {
            "overview": self.base + "/console/",
            "groups": self.base + "/console/groups",
            "group": f"{self.base}/console/group?id={self.args.group_id}",
            "folder": self.result.get("folder_url", f"{self.base}/console/group?id={self.args.group_id}"),
            "private files": self.base + "/console/spaces?kind=user",
            "health": self.base + "/console/health",
        }

        def visit():
            wide = []
            for label, url in pages.items():
                self.browser.open(url)
                width = self.browser.js("return window.innerWidth")
                check(width == 375, f"the window is {width} px wide, not 375")
                if not self.browser.no_horizontal_overflow():
                    wide.append((label, self.browser.js("return document.documentElement.scrollWidth")))
                if label == "group":
                    self.screenshot("09-group-375px")
            check(not wide, f"at 375 px these pages are wider than the window: {wide}")

        self.in_window(375, 812, visit)

    def no_script_errors(self):
        """The console's pages broke neither their Content-Security-Policy nor their script, on any page so far (the
        refusals the forged posts met are logged as failed loads, and are not errors of the pages)."""
        errors = [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE"
            and self.base in entry["message"]
            and ("Content Security Policy" in entry["message"] or "Uncaught" in entry["message"])
        ]
        check(not errors, f"the pages logged {errors[:3]}")

    def sign_out(self):
        self.browser.open(self.base + "/console/")
        self.click_through("#sign-out", "signing out")
        signed_out = self.driver.current_url
        check(signed_out.startswith(self.base + "/console/sign-in"), f"signing out led to {signed_out}")
        self.browser.open(self.base + "/console/groups")
        check(
            self.driver.current_url.startswith(self.base + "/console/sign-in"),
            f"after signing out, the groups page opened at {self.driver.current_url}",
        )


STEPS = [
    ("wrong_token_refused", False),
    ("keyboard_sign_in", True),
    ("overview_lists_bot", False),
    ("groups_table", False),
    ("group_opens", False),
    ("file_name_renders_as_text", False),
    ("upload_two_files_with_progress", True),
    ("create_folder", True),
    ("move_file_into_folder", False),
    ("rename_file", False),
    ("biggest_files", False),
    ("delete_asks_first", False),
    ("download_matches", False),
    ("forged_posts_refused", False),
    ("private_files", False),
    ("health_check", False),
    ("chinese_and_back", False),
    ("narrow_window", False),
    ("no_script_errors", False),
    ("sign_out", False),
]


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
    parser.add_argument("--work", required=True, help="a folder for the browser's profile, downloads and picks")
    # What the Swift side put in the store before the run.
    parser.add_argument("--group-id", type=int, required=True, help="the group the file steps work in")
    parser.add_argument("--groups", type=int, required=True, help="how many groups the store holds")
    parser.add_argument("--groups-by-usage", required=True, help="the group ids by usage, biggest first, with commas")
    parser.add_argument("--xss-name", required=True, help="a file of the group whose name is markup")
    parser.add_argument("--doomed-name", required=True, help="a file of the group that the console deletes")
    parser.add_argument("--user-id", required=True, help="a user with a private file")
    parser.add_argument("--private-name", required=True, help="that user's file")
    # What the console makes.
    parser.add_argument("--first-upload", required=True, help="the first file uploaded, later downloaded")
    parser.add_argument("--second-upload", required=True, help="the second file uploaded, moved and renamed")
    parser.add_argument("--folder", required=True, help="the folder created")
    parser.add_argument("--renamed", required=True, help="the second file's new name")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    work = args.work
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads, exist_ok=True)

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
    scenario.run(STEPS)
    timer.cancel()
    browser.quit()
    emit(scenario.result, 0 if scenario.result["ok"] else 1)


if __name__ == "__main__":
    main()
