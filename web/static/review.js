// Questionnaire pages: live progress while a job runs, and keyboard shortcuts on the review page.
// Loaded as a file (the CSP allows no inline script); no build step.
(function () {
  "use strict";

  // ---- live progress: poll the JSON status endpoint every second --------------------------------
  var job = document.getElementById("job");
  if (job) {
    var url = job.getAttribute("data-status-url");
    var bar = document.getElementById("job-progress");
    var show = function (id, value) {
      var el = document.getElementById(id);
      if (el) { el.textContent = String(value); }
    };
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          show("job-found", data.found);
          show("job-matched", data.matched);
          show("job-status", data.status);
          if (data.found > 0) {
            bar.max = data.found;
            bar.value = data.matched;
          }
          if (data.status === "ready" || data.status === "failed") {
            window.location.reload();
          }
        })
        .catch(function () { /* a missed beat; try again next second */ })
        .then(function () { window.setTimeout(poll, 1000); });
    };
    window.setTimeout(poll, 1000);
  }

  // ---- keyboard: j/k move between questions, a approves, e edits -----------------------------------
  var questions = Array.prototype.slice.call(document.querySelectorAll("article.q"));
  if (!questions.length) { return; }
  var current = -1;

  var focusAt = function (index) {
    if (index < 0 || index >= questions.length) { return; }
    if (current >= 0) { questions[current].classList.remove("focused"); }
    current = index;
    var article = questions[current];
    article.classList.add("focused");
    article.focus({ preventScroll: true });
    article.scrollIntoView({ block: "center", behavior: "smooth" });
  };

  var typing = function (target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  };

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target) && current >= 0) {
      questions[current].focus({ preventScroll: true });
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var article = current >= 0 ? questions[current] : null;
    if (event.key === "j") {
      focusAt(current + 1);
    } else if (event.key === "k") {
      focusAt(Math.max(current - 1, 0));
    } else if (event.key === "a" && article) {
      var approve = article.querySelector("button[data-approve]");
      if (approve) { approve.form.requestSubmit(approve); }
    } else if (event.key === "e" && article) {
      var box = article.querySelector("textarea.answer-box");
      if (box) { event.preventDefault(); box.focus(); }
    }
  });

  // Approve without reloading the page: ask for JSON, update the card and the counter in place. Any refusal (a conflict, an empty answer, an expired form) falls back to the
  // plain form submission, whose page says what happened and keeps the typed text.
  var approved = document.querySelector("label[for=overall]");
  var overall = document.getElementById("overall");
  var showDecision = function (article, data) {
    article.classList.remove("st-draft", "st-rejected", "st-approved");
    article.classList.add("st-" + data.status);
    var badge = article.querySelector(".q-head .badge");
    if (badge) {
      badge.className = "badge " + data.status;
      badge.textContent = data.status + (data.decided_by ? " · " + data.decided_by : "");
    }
    Array.prototype.forEach.call(article.querySelectorAll("input[name=row_version]"), function (input) {
      input.value = String(data.row_version);
    });
    var box = article.querySelector("textarea.answer-box");
    if (box) { box.value = data.answer; }
    if (approved && overall && data.counts) {
      overall.value = data.counts.approved;
      approved.textContent = "Approved " + data.counts.approved + " of " + overall.max;
    }
  };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-approve") || form.hasAttribute("data-plain")) { return; }
    event.preventDefault();
    var article = form.closest("article.q");
    button.disabled = true;
    fetch(button.formAction, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        button.disabled = false;
        showDecision(article, data);
      })
      .catch(function () {
        button.disabled = false;
        form.setAttribute("data-plain", "");
        form.requestSubmit(button);
      });
  });

  // Clicking into a question makes it the focused one; after an action, the page comes back to it.
  questions.forEach(function (article, index) {
    article.addEventListener("focusin", function () {
      if (current !== index) {
        if (current >= 0) { questions[current].classList.remove("focused"); }
        current = index;
        article.classList.add("focused");
      }
    });
  });
  if (window.location.hash) {
    var target = document.getElementById(window.location.hash.slice(1));
    var found = questions.indexOf(target);
    if (found >= 0) { focusAt(found); }
  }
})();
