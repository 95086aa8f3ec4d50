/* Chunked, resumable upload of large evidence files (videos) through the JSON API.
 *
 * Protocol (docs/ARCHITECTURE.md): POST {start-url} {name, size} → {id, received};
 * PUT /api/v1/uploads/{id}/chunks?offset=N with the raw bytes → {received};
 * a wrong offset → 409 with error.fields.received; GET /api/v1/uploads/{id} → {received};
 * POST /api/v1/uploads/{id}/complete → the file.
 *
 * A failed chunk is retried (with a pause) and the position is asked of the server before each
 * retry, so a dropped connection loses at most one chunk. After a reload the page lists the
 * unfinished uploads; choosing the same file again (same name and size) continues where it stopped.
 * The chunk size follows the connection: halved when a chunk takes more than 15 seconds (a phone
 * on a weak network should not hit the server's request timeout), doubled again when fast.
 * No framework: XMLHttpRequest for the upload progress events.
 */
(function () {
  'use strict';

  var CHUNK = 4 * 1024 * 1024;
  var MIN_CHUNK = 256 * 1024;
  var RETRIES = 6;

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function send(method, url, csrf, body, contentType, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader('X-CSRFToken', csrf);
      xhr.setRequestHeader('Accept', 'application/json');
      if (contentType) { xhr.setRequestHeader('Content-Type', contentType); }
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) { onProgress(e.loaded); } };
      }
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        resolve({ status: xhr.status, data: data });
      };
      xhr.onerror = function () { resolve({ status: 0, data: null }); };
      xhr.ontimeout = xhr.onerror;
      xhr.onabort = xhr.onerror;
      xhr.send(body === undefined ? null : body);
    });
  }

  function json(method, url, csrf, payload) {
    return send(method, url, csrf, payload ? JSON.stringify(payload) : undefined, payload ? 'application/json' : null);
  }

  function message(r, fallback) {
    if (r && r.data && r.data.error && r.data.error.message) { return r.data.error.message; }
    if (r && r.status === 0) { return '网络连接中断，请检查网络后重新选择该文件继续上传。'; }
    return fallback;
  }

  function init(root) {
    var input = root.querySelector('input[type=file]');
    var start = root.querySelector('[data-role=start]');
    var row = root.querySelector('[data-role=progress-row]');
    var bar = root.querySelector('[data-role=bar]');
    var percent = root.querySelector('[data-role=percent]');
    var status = root.querySelector('[data-role=status]');
    var csrf = root.getAttribute('data-csrf');
    var startUrl = root.getAttribute('data-start-url');
    var uploadsUrl = root.getAttribute('data-uploads-url');
    var pending = Array.prototype.map.call(root.querySelectorAll('[data-upload-id]'), function (li) {
      return { id: li.getAttribute('data-upload-id'), name: li.getAttribute('data-name'),
               size: Number(li.getAttribute('data-size')), node: li };
    });

    function say(text, bad) {
      status.textContent = text;
      status.className = bad ? 'form-error' : 'muted';
    }

    function show(done, total) {
      var p = total ? Math.floor(done * 100 / total) : 100;
      row.hidden = false;
      bar.value = p;
      percent.textContent = p + '%';
    }

    function added(file) {
      var list = document.querySelector('[data-testid=files]');
      if (!list) { return; }
      var empty = list.querySelector('.empty');
      if (empty) { empty.remove(); }
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = file.download_url.replace('/api/v1/evidence/files/', '/evidence/files/').replace('/download', '/');
      a.textContent = file.name;
      li.appendChild(a);
      var note = document.createElement('span');
      note.className = 'muted small';
      note.textContent = ' ' + file.kind_label + ' · 刚上传';
      li.appendChild(note);
      list.appendChild(li);
    }

    async function resume(file) {
      for (var i = 0; i < pending.length; i++) {
        var p = pending[i];
        if (p.name === file.name && p.size === file.size) {
          var r = await json('GET', uploadsUrl + p.id, csrf);
          if (r.status === 200 && r.data.status === 'receiving') { p.node.remove(); return r.data; }
        }
      }
      return null;
    }

    async function run(file) {
      start.disabled = true;
      input.disabled = true;
      try {
        var upload = await resume(file);
        if (upload) {
          say('继续上传“' + file.name + '”……');
        } else {
          var r = await json('POST', startUrl, csrf, { name: file.name, size: file.size });
          if (r.status !== 201) { say(message(r, '无法开始上传。'), true); return; }
          upload = r.data;
          say('正在上传“' + file.name + '”……');
        }
        var largest = Math.min(CHUNK, upload.chunk_size || CHUNK);
        var chunk = largest;
        var offset = upload.received;
        var url = uploadsUrl + upload.id;
        show(offset, file.size);
        var tries = 0;
        while (offset < file.size) {
          var end = Math.min(offset + chunk, file.size);
          var base = offset;
          var began = Date.now();
          var put = await send('PUT', url + '/chunks?offset=' + offset, csrf, file.slice(offset, end),
            'application/octet-stream', function (loaded) { show(base + loaded, file.size); });
          var took = Date.now() - began;
          if (put.status === 200) {
            offset = put.data.received;
            tries = 0;
            if (took > 15000) { chunk = Math.max(MIN_CHUNK, Math.floor(chunk / 2)); }
            else if (took < 3000) { chunk = Math.min(largest, chunk * 2); }
          } else if (put.status === 409 && put.data && put.data.error && put.data.error.code === 'wrong_offset') {
            offset = Number(put.data.error.fields.received);  // the server says where it stands
          } else if (put.status === 0 || put.status >= 500 || (put.data && put.data.error &&
                     (put.data.error.code === 'upload_busy' || put.data.error.code === 'incomplete_chunk'))) {
            tries += 1;
            chunk = Math.max(MIN_CHUNK, Math.floor(chunk / 2));
            if (tries > RETRIES) { say(message(put, '上传多次失败。'), true); return; }
            say('网络不稳定，正在重试（第' + tries + '次）……');
            await sleep(Math.min(30000, 1000 * Math.pow(2, tries - 1)));
            var now = await json('GET', url, csrf);
            if (now.status === 200) { offset = now.data.received; }
          } else {
            say(message(put, '上传失败。'), true);
            return;
          }
          show(offset, file.size);
        }
        say('正在检查文件……');
        var done = await json('POST', url + '/complete', csrf);
        if (done.status === 200 || done.status === 201) {
          show(file.size, file.size);
          say('上传完成：' + done.data.name);
          added(done.data);
          input.value = '';
        } else {
          say(message(done, '文件未通过检查。'), true);
        }
      } finally {
        start.disabled = false;
        input.disabled = false;
      }
    }

    start.addEventListener('click', function () {
      var file = input.files && input.files[0];
      if (!file) { say('请先选择文件。', true); return; }
      run(file);
    });
  }

  document.querySelectorAll('[data-chunked-upload]').forEach(init);
})();
