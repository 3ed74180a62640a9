// 收件: each chosen or dropped file is sent on its own (three at a time), its upload shown as a progress bar,
// then its verdict asked for until the check is done. Names are shown as text, never as markup.
(function () {
  "use strict";
  var form = document.getElementById("drop");
  if (!form) { return; }
  var season = form.dataset.season;
  var csrf = document.body.dataset.csrf;
  var rows = document.getElementById("progress-rows");
  var queue = [], running = 0, LIMIT = 3;
  var STATUS = { accepted: "通过", accepted_with_warnings: "通过（有警告）", rejected: "退回", pending: "检查中" };

  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text || ""; tr.appendChild(td); return td; }

  function add(file) {
    var tr = document.createElement("tr");
    cell(tr, file.name);
    var bar = document.createElement("progress"); bar.max = 100; bar.value = 0;
    var p = cell(tr, ""); p.appendChild(bar);
    var verdict = cell(tr, "等待上传"), unit = cell(tr, "");
    rows.appendChild(tr);
    queue.push({ file: file, bar: bar, verdict: verdict, unit: unit, tr: tr });
    next();
  }

  function next() {
    while (running < LIMIT && queue.length) { running += 1; send(queue.shift()); }
  }

  function show(item, r) {
    item.verdict.textContent = STATUS[r.status] || r.status;
    item.verdict.className = "st-" + r.status;
    item.unit.textContent = r.report && r.report.unit ? r.report.unit.name + "（" + r.report.unit.code + "）" : "";
    if (r.already_received) { item.verdict.textContent += "（已收到过）"; }
  }

  function poll(items, ids) {
    var pending = ids.filter(function (id) { return items[id]; });
    if (!pending.length) { return; }
    pending.forEach(function (id) {
      fetch("/api/seasons/" + season + "/files/" + id, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (r) {
          show(items[id], r);
          if (r.status !== "pending") { delete items[id]; }
        });
    });
    setTimeout(function () { poll(items, ids); }, 700);
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
        return;
      }
      var items = {}, ids = [];
      body.files.forEach(function (r, i) {
        var it = item;
        if (i > 0) {  // a zip archive: a row per workbook inside
          var tr = document.createElement("tr");
          cell(tr, item.file.name + " / " + r.name); cell(tr, "");
          it = { verdict: cell(tr, ""), unit: cell(tr, ""), tr: tr };
          rows.appendChild(tr);
        } else if (body.files.length > 1 || r.archive) {
          item.tr.firstChild.textContent = item.file.name + " / " + r.name;
        }
        show(it, r);
        if (r.status === "pending") { items[r.id] = it; ids.push(r.id); }
      });
      if (!body.files.length) { item.verdict.textContent = "压缩包中没有报表"; }
      poll(items, ids);
    };
    xhr.onerror = function () { running -= 1; next(); item.verdict.textContent = "上传失败，请重试"; };
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
