"""The load itself: reviewers who log in through the real form and approve their drafts with think time,
and uploaders who keep one hostile file each in flight. Every request is timed into a :class:`Recorder`.

The HTTP client is httpx, so the same code drives a gunicorn server over loopback (``bench/load.py``)
or a Flask app in-process through ``httpx.WSGITransport`` (the test).
"""

from __future__ import annotations

import html
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import httpx

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ARTICLE_RE = re.compile(r'<article class="q [^"]*" id="d(\d+)"(.*?)</article>', re.S)
APPROVE_RE = re.compile(r'formaction="([^"]*/approve[^"]*)"')
VERSION_RE = re.compile(r'name="row_version" value="(\d+)"')
ANSWER_RE = re.compile(r'<textarea name="answer"[^>]*>(.*?)</textarea>', re.S)
SHORT_RE = re.compile(r'<option value="([^"]*)" selected>')
QID_RE = re.compile(r"/questionnaires/([\w-]{22})")  # the record id as URLs spell it (web/ids.py)
JSON = {"Accept": "application/json"}
ClientFactory = Callable[[], httpx.Client]


@dataclass(frozen=True)
class Sample:
    op: str
    start: float  # seconds since the load started
    seconds: float
    outcome: str  # "ok", or what went wrong: "status 500", "ReadTimeout", "conflict"


@dataclass
class Recorder:
    """Thread-safe list of samples; only requests started inside the measured window count."""

    t0: float = 0.0
    deadline: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    verdicts: list[tuple[str, str, float]] = field(default_factory=list)  # (file, outcome, seconds)
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def add(self, op: str, started: float, outcome: str) -> None:
        sample = Sample(op, started - self.t0, time.monotonic() - started, outcome)
        with self._lock:
            self.samples.append(sample)

    def verdict(self, name: str, outcome: str, started: float) -> None:
        with self._lock:
            self.verdicts.append((name, outcome, time.monotonic() - started))

    def note(self, text: str) -> None:
        with self._lock:
            self.notes.append(text)


@dataclass(frozen=True)
class Plan:
    org: str
    questionnaire: str  # its id as the app writes it in URLs
    reviewers: Sequence[tuple[str, str]]  # (email, password)
    uploaders: Sequence[tuple[str, str]]
    hostile: Sequence[tuple[str, bytes]]  # one uploader per file
    duration: float
    think: float = 0.3  # mean pause (s) before each action of a reviewer
    browse_every: int = 4  # every n-th visit loads the whole questionnaire instead of "assigned to me"
    poll: float = 1.0  # seconds between status checks of a hostile upload
    ramp: float = 0.0  # reviewers arrive evenly over this many seconds, before the measured window
    seed: int = 1


@dataclass(frozen=True)
class DraftForm:
    draft_id: int
    approve_url: str
    row_version: int
    answer: str
    short_answer: str


def make_client(base_url: str, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client with its own cookies that also sends ``Secure`` cookies over plain http: on loopback it
    stands where the TLS-terminating reverse proxy would, so the app keeps its production cookie flags."""
    client = httpx.Client(base_url=base_url, transport=transport, timeout=30.0, follow_redirects=False)

    def keep_secure_cookies(_response: httpx.Response) -> None:
        for cookie in client.cookies.jar:
            cookie.secure = False

    client.event_hooks["response"] = [keep_secure_cookies]
    return client


def csrf_token(page: str) -> str:
    found = CSRF_RE.search(page)
    if not found:
        raise LookupError("no CSRF token on the page")
    return html.unescape(found.group(1))


def draft_forms(page: str) -> list[DraftForm]:
    """The approve form of every question card on a review page, as a browser would submit it."""
    forms = []
    for draft_id, body in ARTICLE_RE.findall(page):
        approve, version, answer = APPROVE_RE.search(body), VERSION_RE.search(body), ANSWER_RE.search(body)
        if not (approve and version and answer):
            continue  # no approve button (already decided and read-only, or not an approver)
        short = SHORT_RE.search(body)
        forms.append(
            DraftForm(
                draft_id=int(draft_id),
                approve_url=html.unescape(approve.group(1)),
                row_version=int(version.group(1)),
                answer=html.unescape(answer.group(1)),
                short_answer=html.unescape(short.group(1)) if short else "",
            )
        )
    return forms


def log_in(client: httpx.Client, email: str, password: str) -> None:
    """GET the login form for its CSRF token, POST it; a redirect means we are in."""
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"login as {email} answered {response.status_code}")


def _outcome(response: httpx.Response, expected: tuple[int, ...]) -> str:
    if response.status_code in expected:
        return "ok"
    return "conflict" if response.status_code == 409 else f"status {response.status_code}"


def _timed(
    rec: Recorder, op: str, send: Callable[[], httpx.Response], expected: tuple[int, ...]
) -> httpx.Response | None:
    started = time.monotonic()
    try:
        response = send()
    except httpx.HTTPError as exc:
        rec.add(op, started, type(exc).__name__)
        return None
    rec.add(op, started, _outcome(response, expected))
    return response


class Reviewer:
    """Opens the drafts assigned to them (now and then the whole questionnaire) and approves each one."""

    def __init__(self, plan: Plan, rec: Recorder, client: httpx.Client, index: int) -> None:
        self.plan, self.rec, self.client, self.index = plan, rec, client, index
        self.rng = random.Random(plan.seed * 1000 + index)
        self.base = f"/o/{plan.org}/questionnaires/{plan.questionnaire}"

    def think(self) -> None:
        pause = self.plan.think * self.rng.uniform(0.5, 1.5)
        time.sleep(max(0.0, min(pause, self.rec.deadline - time.monotonic())))

    def arrive(self) -> None:
        """Wait for this reviewer's turn to arrive: evenly spread over the ramp (as a load tool's spawn
        rate would), then one think time, so no two reviewers start in the same millisecond."""
        turn = self.rec.t0 - self.plan.ramp + self.plan.ramp * self.index / max(1, len(self.plan.reviewers))
        time.sleep(max(0.0, turn - time.monotonic()))
        self.think()

    def run(self) -> None:
        visit = 0
        self.arrive()
        while self.rec.running():
            every = self.plan.browse_every  # reviewers are out of step: some open everything first
            whole = every > 0 and (visit + self.index) % every == every - 1
            visit += 1
            op = "review page (all)" if whole else "review page (mine)"
            params = {} if whole else {"mine": "1"}
            response = _timed(self.rec, op, partial(self.client.get, self.base, params=params), (200,))
            if response is None or response.status_code != 200:
                self.think()
                continue
            forms = [] if whole else draft_forms(response.text)
            token = csrf_token(response.text)
            for form in forms:
                self.think()
                if not self.rec.running():
                    return
                self.approve(form, token)
            self.think()

    def approve(self, form: DraftForm, token: str) -> None:
        data = {
            "csrf_token": token,
            "row_version": str(form.row_version),
            "answer": form.answer
            or "Not applicable: we do not offer this.",  # no draft: the reviewer writes one
            "short_answer": form.short_answer,
        }
        _timed(
            self.rec,
            "approve",
            partial(self.client.post, form.approve_url, data=data, headers=JSON),
            (200, 302),
        )


REFUSED_AT_UPLOAD = (400, 413, 415, 422)  # the file's own fault, said before anything is stored


class Uploader:
    """Keeps one hostile file in flight: upload it, wait for the verdict, upload it again."""

    def __init__(self, plan: Plan, rec: Recorder, client: httpx.Client, name: str, data: bytes) -> None:
        self.plan, self.rec, self.client, self.name, self.data = plan, rec, client, name, data
        self.index = f"/o/{plan.org}/questionnaires/"

    def run(self) -> None:
        token = csrf_token(self.client.get(self.index).text)
        fields = {"csrf_token": token, "requester": "load test", "requester_kind": "customer"}
        files = {"file": (self.name, self.data, "application/octet-stream")}
        send = partial(self.client.post, self.index + "upload", data=fields, files=files)
        while self.rec.running():
            started = time.monotonic()
            # A hostile file may be refused at the door (checked before it is stored, catalogue 2.1):
            # that answer is the verdict, acknowledged at once, not an error.
            response = _timed(self.rec, "upload", send, (302, *REFUSED_AT_UPLOAD))
            if response is not None and response.status_code in REFUSED_AT_UPLOAD:
                self.rec.verdict(self.name, f"refused: status {response.status_code}", started)
                time.sleep(self.plan.poll)
                continue
            found = QID_RE.search(response.headers.get("location", "")) if response is not None else None
            if found is None:
                time.sleep(self.plan.poll)
                continue
            self.await_verdict(found.group(1), started)

    def await_verdict(self, qid: str, started: float) -> None:
        url = f"{self.index}{qid}/status"
        while True:  # past the deadline too: the verdict of every upload is reported
            time.sleep(self.plan.poll)
            try:
                status = self.client.get(url).json()
            except (httpx.HTTPError, ValueError) as exc:
                self.rec.note(f"{self.name}: status check failed ({type(exc).__name__})")
                return
            if status["status"] in ("ready", "failed"):
                verdict = (status.get("error") or "").split(". Fix:")[0]
                self.rec.verdict(self.name, f"{status['status']}: {verdict}".rstrip(": "), started)
                return
            if time.monotonic() > self.rec.deadline + 120:
                self.rec.note(f"{self.name}: still {status['status']} two minutes after the end")
                return


def run_load(plan: Plan, make_client: ClientFactory) -> Recorder:
    """Log everyone in, then run reviewers and uploaders together for ``plan.duration`` seconds."""
    rec = Recorder()
    workers: list[Callable[[], None]] = []
    logins = list(plan.reviewers) + list(plan.uploaders[: len(plan.hostile)])
    clients = [make_client() for _ in logins]
    with ThreadPoolExecutor(max_workers=8) as pool:  # argon2 makes each login cost ~0.1-0.3 s of CPU
        list(pool.map(lambda pair: log_in(pair[0], *pair[1]), zip(clients, logins, strict=True)))
    for index, client in enumerate(clients[: len(plan.reviewers)]):
        workers.append(Reviewer(plan, rec, client, index).run)
    for client, (name, data) in zip(clients[len(plan.reviewers) :], plan.hostile, strict=True):
        workers.append(Uploader(plan, rec, client, name, data).run)
    threads = [threading.Thread(target=_guarded(rec, work), daemon=True) for work in workers]
    rec.t0 = time.monotonic() + plan.ramp  # the measured window opens once every reviewer has arrived
    rec.deadline = rec.t0 + plan.duration
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return rec


def _guarded(rec: Recorder, work: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except Exception as exc:  # a client bug must show in the report, not vanish with its thread
            rec.note(f"client thread died: {type(exc).__name__}: {exc}")

    return run
