"""Driving one page of Chromium over the DevTools protocol: a websocket connection that matches
answers to commands and waits for events, and a :class:`Page` with the few actions a test needs.
Every call does what it says within its timeout or raises :class:`BrowserError` naming what it was
waiting for. (Launching Chromium and the pytest fixture: ``tests/browser.py``.)"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import anyio

__all__ = ["DEFAULT_TIMEOUT", "BrowserError", "Connection", "Message", "Page"]

DEFAULT_TIMEOUT = 10.0

Message = dict[str, Any]


class BrowserError(Exception):
    """Chromium did not start, did not answer, or did not do what a page call asked."""


@contextlib.contextmanager
def _deadline(seconds: float, what: str) -> Iterator[None]:
    try:
        with anyio.fail_after(seconds):
            yield
    except TimeoutError:
        raise BrowserError(f"timed out after {seconds:g} s waiting for {what}") from None


class Connection:
    """One DevTools websocket. Replies are matched to commands by id; events are kept in arrival order
    so that a caller can wait for one that arrives after a point it marked (`mark()`) before acting,
    without missing an event that came before it started waiting."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse[bool], timeout: float) -> None:
        self._ws = ws
        self.timeout = timeout
        self._last_id = 0
        self._replies: dict[int, Message] = {}
        self._events: list[Message] = []

    async def _receive(self) -> None:
        message = await self._ws.receive()
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise BrowserError(f"the DevTools connection ended ({message.type.name})")
        data: Message = json.loads(message.data)
        if "id" in data:
            self._replies[data["id"]] = data
        else:
            self._events.append(data)

    async def send(self, method: str, **params: Any) -> Message:
        self._last_id += 1
        command_id = self._last_id
        await self._ws.send_json({"id": command_id, "method": method, "params": params})
        with _deadline(self.timeout, f"Chromium's reply to {method}"):
            while command_id not in self._replies:
                await self._receive()
        reply = self._replies.pop(command_id)
        if "error" in reply:
            raise BrowserError(f"{method} failed: {reply['error'].get('message')}")
        result: Message = reply["result"]
        return result

    def mark(self) -> int:
        return len(self._events)

    async def wait_for(self, since: int, what: str, match: Callable[[Message], bool]) -> Message:
        """The params of the first event from index `since` on for which `match(event)` holds."""
        with _deadline(self.timeout, what):
            while True:
                while since < len(self._events):
                    event = self._events[since]
                    since += 1
                    if match(event):
                        params: Message = event.get("params", {})
                        return params
                await self._receive()

    async def close(self) -> None:
        await self._ws.close()


# Locates the element a selector names, as a user would see it, and reports where to click it, or why it
# cannot be clicked: a test fails on a hidden or covered control instead of clicking something else.
_LOCATE = """(selector) => {
    const element = document.querySelector(selector);
    if (!element) return {error: `no element matches ${selector}`};
    element.scrollIntoView({block: "center", inline: "center"});
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return {error: `${selector} is not visible`};
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(element.contains(hit) || hit.control === element))
        return {error: `${selector} is covered by ${hit ? hit.outerHTML.slice(0, 80) : "nothing"}`};
    return {x, y};
}"""

# Chooses an option the way a user's pick does, events included; a native <select> opens a popup
# outside the page, which the protocol cannot click into.
_SELECT = """(selector, value) => {
    const element = document.querySelector(selector);
    if (!(element instanceof HTMLSelectElement)) return `${selector} is not a <select>`;
    const values = Array.from(element.options, (option) => option.value);
    if (!values.includes(value)) return `${selector} has no option ${value} (it has ${values})`;
    element.value = value;
    element.dispatchEvent(new Event("input", {bubbles: true}));
    element.dispatchEvent(new Event("change", {bubbles: true}));
    return null;
}"""


def _call(function: str, *args: str) -> str:
    return f"({function})({', '.join(json.dumps(arg) for arg in args)})"


def _is_main_frame_navigation(event: Message) -> bool:
    return event.get("method") == "Page.frameNavigated" and "parentId" not in event["params"]["frame"]


class Page:
    """One tab."""

    def __init__(self, connection: Connection) -> None:
        self._cdp = connection

    @property
    def timeout(self) -> float:
        """The seconds each call of this page may wait, for each thing it waits for; settable."""
        return self._cdp.timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self._cdp.timeout = seconds

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (promises awaited) in the current document."""
        return await self._evaluate(expression)

    async def evaluate_in_frame(self, url_prefix: str, expression: str) -> Any:
        """`evaluate` in the document of the first frame (an iframe, say) whose URL starts with
        `url_prefix`, in a script world of the test's own: a frame of another origin is reachable
        too, as a user's clicks reach it. Frames of one site only (127.0.0.1 on any port is one)."""
        tree = await self._cdp.send("Page.getFrameTree")
        frame_id = _frame_at(tree["frameTree"], url_prefix)
        if frame_id is None:
            raise BrowserError(f"no frame shows {url_prefix}...")
        world = await self._cdp.send("Page.createIsolatedWorld", frameId=frame_id, worldName="test")
        return await self._evaluate(expression, contextId=world["executionContextId"])

    async def wait_until(self, expression: str, what: str, frame: str | None = None) -> None:
        """Wait for a JavaScript expression to be true (polled): in the current document, or in
        the frame whose URL starts with `frame` (which may not be there, or not loaded, yet)."""
        last_error = ""
        try:
            with _deadline(self.timeout, what):
                while True:
                    try:
                        if frame is None:
                            done = await self.evaluate(expression)
                        else:
                            done = await self.evaluate_in_frame(frame, expression)
                    # The document is being replaced (a navigation), or the frame is not there yet.
                    except BrowserError as error:
                        done, last_error = False, str(error)
                    if done:
                        return
                    await anyio.sleep(0.05)
        except BrowserError as error:
            raise BrowserError(f"{error} (last: {last_error})" if last_error else str(error)) from None

    async def _evaluate(self, expression: str, **where: Any) -> Any:
        result = await self._cdp.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
            **where,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            description = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript failed: {description}\n  in: {expression[:200]}")
        return result["result"].get("value")

    async def url(self) -> str:
        """The URL the address bar would show: also right on an error page Chromium draws itself (for an
        HTTP error with an empty body), where the document's own location is chrome-error://."""
        history = await self._cdp.send("Page.getNavigationHistory")
        return str(history["entries"][history["currentIndex"]]["url"])

    async def text(self) -> str:
        """The page's text as rendered (hidden elements left out)."""
        return str(await self.evaluate("document.body ? document.body.innerText : ''"))

    async def goto(self, url: str) -> None:
        """Navigate, and return once the new document's load event has fired. An HTTP error status is
        not a failure (its page is shown); a network failure (nothing answered) is."""
        reply = await self._cdp.send("Page.navigate", url=url)
        if "errorText" in reply and not _is_http_status_failure(reply["errorText"]):
            raise BrowserError(f"navigating to {url} failed: {reply['errorText']}")
        if "loaderId" in reply:  # none for a move within the document (#fragment): nothing to load
            await self._loaded(reply["loaderId"], f"{url} to load")

    async def click(self, selector: str) -> None:
        """Click an element with the mouse, and return once the document its click navigates to (a
        form's submission, through any redirects) has loaded. As with `goto`, an HTTP error status is
        not a failure; a network failure is."""
        since = self._cdp.mark()
        await self._mouse_click(selector)
        navigated = await self._cdp.wait_for(
            since, f"a navigation after clicking {selector}", _is_main_frame_navigation
        )
        frame = navigated["frame"]
        if "unreachableUrl" in frame:  # Chromium shows its error page: find out why
            failed = await self._cdp.wait_for(
                since,
                f"the reason {frame['unreachableUrl']} failed",
                # A document's request id is its loader id, through redirects too.
                lambda event: (
                    event.get("method") == "Network.loadingFailed"
                    and event["params"]["requestId"] == frame["loaderId"]
                ),
            )
            reason = failed["errorText"]
            if not _is_http_status_failure(reason):
                raise BrowserError(
                    f"clicking {selector} led to {frame['unreachableUrl']}, which failed: {reason}"
                )
        await self._loaded(frame["loaderId"], f"the page after clicking {selector} to load")

    async def check(self, selector: str) -> None:
        """Check a radio button or checkbox by clicking it with the mouse, unless it is checked already
        (a click would uncheck a checkbox)."""
        checked = f"document.querySelector({json.dumps(selector)})?.checked === true"
        if await self.evaluate(checked):
            return
        await self._mouse_click(selector)
        if not await self.evaluate(checked):
            raise BrowserError(f"{selector} is not checked after clicking it")

    async def fill(self, selector: str, text: str) -> None:
        """Type ``text`` into a text field as a user would: click it, then type."""
        await self._mouse_click(selector)
        focused = f"document.activeElement === document.querySelector({json.dumps(selector)})"
        if not await self.evaluate(focused):
            raise BrowserError(f"{selector} has no focus after clicking it")
        await self._cdp.send("Input.insertText", text=text)

    async def select(self, selector: str, value: str) -> None:
        """Choose the option of a <select> that has this value."""
        error = await self.evaluate(_call(_SELECT, selector, value))
        if error is not None:
            raise BrowserError(str(error))

    async def _mouse_click(self, selector: str) -> None:
        where = await self.evaluate(_call(_LOCATE, selector))
        if "error" in where:
            raise BrowserError(f"cannot click: {where['error']}")
        for kind in ("mousePressed", "mouseReleased"):
            await self._cdp.send(
                "Input.dispatchMouseEvent",
                type=kind,
                button="left",
                clickCount=1,
                x=where["x"],
                y=where["y"],
            )

    async def _loaded(self, loader_id: str, what: str) -> None:
        # Lifecycle events name the document (loader) they belong to, so a load event of the document
        # being left can never be taken for the one of the document being waited for.
        await self._cdp.wait_for(
            0,
            what,
            lambda event: (
                event.get("method") == "Page.lifecycleEvent"
                and event["params"]["name"] == "load"
                and event["params"]["loaderId"] == loader_id
            ),
        )


def _frame_at(tree: Message, url_prefix: str) -> str | None:
    """The id of the first frame of a frame tree, children first, whose URL starts with url_prefix."""
    for child in tree.get("childFrames", []):
        found = _frame_at(child, url_prefix)
        if found is not None:
            return found
    frame = tree["frame"]
    return str(frame["id"]) if "parentId" in frame and frame["url"].startswith(url_prefix) else None


def _is_http_status_failure(error_text: str) -> bool:
    # Chromium reports an HTTP error status with an empty body this way, and shows its own error page.
    return error_text == "net::ERR_HTTP_RESPONSE_CODE_FAILURE"
