// Trefoil console: the little that needs a script. Every page works without it but the upload; nothing here is
// needed to read or change anything else.
//
// Stable hooks for browser tests (ids unless marked):
//   sign-in:   #sign-in-form, #token (absent with open access), #sign-in, #open-access, #sign-out-form, #sign-out
//   language:  #lang-switch (data-lang = the language it switches to); <html lang> is "en" or "zh-CN"
//   nav:       #nav-overview, #nav-groups, #nav-users, #nav-spaces, #nav-health
//   overview:  #totals [data-stat=groups|files|bytes|dedup|disk-free|uptime|version], #connections tr[data-role],
//              #reverse-targets, #webhook-targets, #events tr[data-event]
//   groups:    #group-search, #group-query, #groups-table a[data-sort=id|usage|files], tr[data-group] a.group-link,
//              #page-previous, #page-next
//   group:     #breadcrumbs, #biggest-files (to #biggest-table tr.file-row[data-name]), #upload-card
//              (data-upload-url), #upload-input, #drop-zone, #upload-list
//              li.upload[data-name] with progress.upload-progress and [data-state=uploading|done|failed],
//              #create-folder-form, #folder-name, #create-folder, #tree-table tr[data-kind=folder|file][data-name]
//              with a.open-folder (folders), a.download (files), a.manage
//   item:      #item-name, #download, #rename-form, #new-name, #rename, #move-form, #move-target, #move,
//              #delete-form (data-confirm), #delete
//   spaces:    #spaces-table tr[data-owner] a.space-link, #space-files tr.file-row[data-name] form.delete-file
//   health:    #maintenance-runs tr[data-run=janitor|startup], #check-form, #run-check, #check-result[data-clean=true|false]
//   messages:  #notice, #error, #message
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  confirmForms();
  setUpUploads();
  setUpSorting();
});

// Forms with data-confirm ask first; without a script they submit at once (the page that shows them is itself the
// step between the listing and the change).
function confirmForms() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// Each file is its own PUT with the File object as the body: the browser streams it from disk and never holds it
// in memory. Files go one after another so that the progress bars move in turn on a slow link.
function setUpUploads() {
  const card = document.getElementById("upload-card");
  const input = document.getElementById("upload-input");
  const zone = document.getElementById("drop-zone");
  const list = document.getElementById("upload-list");
  if (!card || !input || !zone || !list) return;
  const url = card.dataset.uploadUrl;
  let queue = Promise.resolve();
  let pending = 0;

  const enqueue = (files) => {
    for (const file of files) {
      const item = document.createElement("li");
      item.className = "upload";
      item.dataset.name = file.name;
      item.dataset.state = "queued";
      const label = document.createElement("span");
      label.textContent = file.name;
      const bar = document.createElement("progress");
      bar.className = "upload-progress";
      bar.max = file.size || 1;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      const status = document.createElement("span");
      status.className = "upload-status";
      item.append(label, bar, status);
      list.append(item);
      pending += 1;
      queue = queue.then(() => send(file, item, bar, status)).then(() => {
        pending -= 1;
        if (pending === 0 && !list.querySelector('[data-state="failed"]')) window.location.reload();
      });
    }
  };

  const send = (file, item, bar, status) =>
    new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open("PUT", url + "&name=" + encodeURIComponent(file.name));
      request.setRequestHeader("X-CSRF-Token", csrfToken());
      request.setRequestHeader("Content-Type", "application/octet-stream");
      item.dataset.state = "uploading";
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          bar.max = event.total || 1;
          bar.value = event.loaded;
        }
      });
      request.addEventListener("load", () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = {}; }
        if (request.status === 200) {
          bar.value = bar.max;
          item.dataset.state = "done";
          status.textContent = "✓";
        } else {
          item.dataset.state = "failed";
          status.textContent = answer.error || String(request.status);
        }
        resolve();
      });
      request.addEventListener("error", () => {
        item.dataset.state = "failed";
        status.textContent = "network error";
        resolve();
      });
      request.send(file);
    });

  input.addEventListener("change", () => {
    enqueue(input.files);
    input.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    enqueue(event.dataTransfer.files);
  });
}

// Tables with class "sortable" sort by a column when its header is activated (click, or Enter on the button).
function setUpSorting() {
  for (const table of document.querySelectorAll("table.sortable")) {
    const headers = table.querySelectorAll("thead th");
    headers.forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.append(button);
      let ascending = true;
      button.addEventListener("click", () => {
        const body = table.tBodies[0];
        const rows = Array.from(body.rows).filter((row) => row.dataset.kind);
        const key = (row) => {
          if (column === 1 && row.dataset.size) return Number(row.dataset.size);
          return row.cells[column] ? row.cells[column].textContent.trim() : "";
        };
        rows.sort((a, b) => {
          if (a.dataset.kind !== b.dataset.kind) return a.dataset.kind === "folder" ? -1 : 1;
          const x = key(a), y = key(b);
          const order = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        ascending = !ascending;
        for (const row of rows) body.append(row);
      });
    });
  }
}
