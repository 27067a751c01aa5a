"""A headless Chromium (Debian's `chromium`) driven through the DevTools protocol over a pipe
(`--remote-debugging-pipe`: commands on the browser's fd 3, answers and events on its fd 4,
each a JSON message ended by a NUL byte), so the tests need no port, no WebSocket library and
no browser download.
"""
import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time


class BrowserError(Exception):
    pass


class Browser:
    def __init__(self, width=1280, height=900):
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise BrowserError("chromium is not installed (scripts/setup --test installs Debian's chromium)")
        self.profile = tempfile.mkdtemp(prefix="vmib-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():
            # The browser expects its pipe on fds 3 and 4: both are copied above 10 first, so
            # that neither dup2 overwrites the other. (Python's own fds are close-on-exec.)
            a = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            preexec_fn=child_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._lock = threading.Lock()
        self._answers = {}
        self._answered = threading.Condition()
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.page("Page.enable")
        self.page("Runtime.enable")
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _read(self):
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._answered:
                    self._answers["closed"] = True
                    self._answered.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._answered:
                        self._answers[message["id"]] = message
                        self._answered.notify_all()
                else:
                    self.events.put(message)

    def call(self, method, session=None, timeout=30, **params):
        with self._lock:
            self._next += 1
            ident = self._next
            message = {"id": ident, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        with self._answered:
            while ident not in self._answers:
                if self._answers.get("closed"):
                    raise BrowserError(f"chromium exited during {method}")
                left = deadline - time.time()
                if left <= 0:
                    raise BrowserError(f"no answer to {method} within {timeout} s")
                self._answered.wait(left)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def page(self, method, **params):
        return self.call(method, session=self.session, **params)

    def navigate(self, url):
        self.page("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && !!document.getElementById('main')", what=f"{url} to load")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (awaited if it is a promise)."""
        r = self.page("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise BrowserError(f"{expression}: {r['exceptionDetails'].get('exception', {}).get('description', r['exceptionDetails'])}")
        return r["result"].get("value")

    def wait_for(self, expression, timeout=30, what=None, interval=0.1):
        """Polls `expression` until it is truthy; returns its value."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                last = self.evaluate(expression)
            except BrowserError as e:
                last = str(e)
            else:
                # A DOM node comes back as {}: found, though falsy in Python.
                if last not in (None, False, "", 0, []):
                    return last
            time.sleep(interval)
        raise BrowserError(f"timed out after {timeout} s waiting for {what or expression} (last: {last!r})")

    def type_text(self, selector, text):
        """Focuses the field `selector`, empties it and types `text` as keyboard input."""
        self.evaluate(f"(e => {{ e.focus(); e.select(); }})(document.querySelector({json.dumps(selector)}))")
        self.page("Input.insertText", text=text)

    def press(self, key, code=None, key_code=None):
        common = {"key": key, "code": code or key, "windowsVirtualKeyCode": key_code or 0}
        self.page("Input.dispatchKeyEvent", type="rawKeyDown", **common)
        if key == "Enter":
            self.page("Input.dispatchKeyEvent", type="char", text="\r", **common)
        self.page("Input.dispatchKeyEvent", type="keyUp", **common)

    def screenshot(self, path):
        data = self.page("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except BrowserError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
