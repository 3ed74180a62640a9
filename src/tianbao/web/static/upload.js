// 收件: each chosen or dropped file is sent on its own (three at a time), its upload shown as a progress bar,
// then its verdict asked for until the check is done; a zip archive gets a row for each file inside. When
// everything sent is checked, the list of files received is read again. Names are shown as text, never as
// markup.
(function () {
  "use strict";
  var form = document.getElementById("drop");
  if (!form) { return; }
  var season = form.dataset.season;
  var csrf = document.body.dataset.csrf;
  var table = document.getElementById("progress");
  var rows = document.getElementById("progress-rows");
  var queue = [], running = 0, busy = 0, LIMIT = 3;
  var STATUS = JSON.parse(form.dataset.status);  // the verdicts' names, as the pages name them
  STATUS.pending = "检查中";

  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text || ""; tr.appendChild(td); return td; }

  function row(name) {
    var tr = document.createElement("tr");
    cell(tr, name);
    var p = cell(tr, "");
    var item = { tr: tr, progress: p, verdict: cell(tr, ""), unit: cell(tr, "") };
    rows.appendChild(tr);
    return item;
  }

  function add(file) {
    table.hidden = false;
    var item = row(file.name);
    item.bar = document.createElement("progress"); item.bar.max = 100; item.bar.value = 0;
    item.progress.appendChild(item.bar);
    item.verdict.textContent = "等待上传";
    item.file = file;
    busy += 1;
    queue.push(item);
    next();
  }

  function next() {
    while (running < LIMIT && queue.length) { running += 1; send(queue.shift()); }
  }

  function done() {
    busy -= 1;
    if (busy > 0) { return; }
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("received");
        var old = document.getElementById("received");
        if (fresh && old) { old.replaceWith(fresh); }
      });
  }

  function show(item, r) {
    item.verdict.textContent = STATUS[r.status] || r.status;
    item.verdict.className = "st-" + r.status;
    item.unit.textContent = r.report && r.report.unit ? r.report.unit.name + "（" + r.report.unit.code + "）" : "";
    if (r.already_received) { item.verdict.textContent += "（已收到过）"; }
  }

  function poll(item, id) {
    fetch("/api/seasons/" + season + "/files/" + id, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (r) {
        show(item, r);
        if (r.status === "pending") { setTimeout(function () { poll(item, id); }, 700); } else { done(); }
      })
      .catch(function () { setTimeout(function () { poll(item, id); }, 2000); });
  }

  function send(item) {
    var data = new FormData();
    data.append("file", item.file, item.file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/seasons/" + season + "/files?wait=0");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) { item.bar.value = 100 * e.loaded / e.total; } };
    item.verdict.textContent = "上传中";
    xhr.onload = function () {
      running -= 1; next();
      item.bar.value = 100;
      var body;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status !== 201 || !body) {
        item.verdict.textContent = "未接收：" + ((body && body.error) || xhr.responseText || xhr.status);
        item.verdict.className = "st-rejected";
        done();
        return;
      }
      var inArchive = body.files.concat(body.ignored).some(function (r) {
        return (r.received_as || r.path).indexOf(item.file.name + "!") === 0;
      });
      body.files.forEach(function (r, i) {
        var it = item;
        if (inArchive) {  // a zip archive: a row for each file inside, under the archive's row
          if (i === 0) { item.verdict.textContent = "压缩包：" + (body.files.length + body.ignored.length) + " 个文件"; }
          it = row("　" + r.received_as);
        }
        show(it, r);
        if (r.status === "pending") { busy += 1; poll(it, r.id); }
      });
      body.ignored.forEach(function (g) {
        var it = body.files.length || inArchive ? row("　" + g.path) : item;
        it.verdict.textContent = "已忽略";
        it.verdict.className = "st-pending";
        it.unit.textContent = g.reason;
      });
      if (!body.files.length && !body.ignored.length) { item.verdict.textContent = "压缩包中没有文件"; }
      done();
    };
    xhr.onerror = function () {
      running -= 1; next();
      item.verdict.textContent = "上传失败，请重试";
      item.verdict.className = "st-rejected";
      done();
    };
    xhr.send(data);
  }

  var pick = document.getElementById("pick");
  pick.addEventListener("change", function () { Array.prototype.forEach.call(pick.files, add); pick.value = ""; });
  form.addEventListener("dragover", function (e) { e.preventDefault(); form.classList.add("over"); });
  form.addEventListener("dragleave", function () { form.classList.remove("over"); });
  form.addEventListener("drop", function (e) {
    e.preventDefault(); form.classList.remove("over");
    Array.prototype.forEach.call(e.dataTransfer.files, add);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
})();
