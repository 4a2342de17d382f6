// erpops: Material's search worker, with queries cut the way people type them.
// Served next to Material's own worker (same folder, so its relative paths still work) and
// loaded in its place. Before Material's handler sees a query, this one
//   1. replaces colloquial phrases from the site's dictionary (登录不了 → 登录 失败 无法登录),
//   2. splits Latin from Chinese (MRP运算失败 → MRP 运算失败),
//   3. cuts each run of Chinese into the longest words the index holds (运算 失败),
// and after Material answers, it drops the zero-width spaces that the index's word cuts leave
// in titles and text, so nobody sees or copies them.
"use strict";
(function () {
  var SYNONYMS = __SYNONYMS__;      // {phrase: "word word ..."}, longest phrases first
  var MATERIAL = __MATERIAL__;      // Material's worker, in this folder
  var SETUP = 0, QUERY = 2, RESULT = 3;
  var ZWSP = /\u200b/g;
  // Appended to each Chinese word: Material's own query segmenter never looks at a run's last
  // character, so "运算〇" comes out of it as exactly "运算".
  var SENTINEL = "\u3007";
  var HAN = /\p{sc=Han}/u;
  var RUNS = /\p{sc=Han}+|[^\p{sc=Han}]+/gu;
  var words = new Set();
  var longest = 1;
  var phrases = Object.keys(SYNONYMS).sort(function (a, b) { return b.length - a.length; });

  function learn(config, docs) {
    var separator = new RegExp(config.separator, "u");
    docs.forEach(function (doc) {
      [doc.title, doc.text].forEach(function (value) {
        if (typeof value !== "string") return;
        value.replace(/<[^>]*>/g, " ").split(separator).forEach(function (token) {
          if (token.length > 1 && HAN.test(token)) {
            token = token.toLowerCase();
            words.add(token);
            if (token.length > longest) longest = token.length;
          }
        });
      });
    });
  }

  // Index words that contain `word` but do not start with it (数据备份 for 备份): Material only
  // matches a term's prefix, so without them a word inside a longer one is never found.
  var INFIX = 6;
  function containing(word) {
    var found = [];
    words.forEach(function (w) {
      if (w.length > word.length && w.indexOf(word) > 0) found.push(w);
    });
    return found.sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1); }).slice(0, INFIX);
  }

  function cut(run) {
    // Forward longest match against the index's words; unknown single characters are dropped
    // (a one-character term would match half the site).
    var out = [];
    for (var i = 0; i < run.length;) {
      var j = Math.min(run.length, i + longest);
      for (; j > i + 1 && !words.has(run.slice(i, j)); j--);
      if (j > i + 1) {
        var word = run.slice(i, j);
        out.push(word + SENTINEL);
        containing(word).forEach(function (w) { out.push(w + SENTINEL); });
        i = j;
      }
      else { if (run.length === 1) out.push(run); i += 1; }
    }
    return out;
  }

  function rewrite(query) {
    var terms = [];
    query.trim().split(/\s+/).forEach(function (part) {
      if (!part) return;
      if (/^[+\-"~^]|[*~^"]/.test(part)) { terms.push(part); return; }  // lunr syntax: as typed
      var lower = part.toLowerCase();
      phrases.forEach(function (p) {
        if (lower.indexOf(p) >= 0) lower = lower.split(p).join(" " + SYNONYMS[p] + " ");
      });
      lower.split(/\s+/).forEach(function (piece) {
        (piece.match(RUNS) || []).forEach(function (run) {
          if (HAN.test(run)) terms.push.apply(terms, cut(run));
          else if (/[\p{L}\p{N}]/u.test(run)) terms.push(run.replace(/[^\p{L}\p{N}._-]+/gu, ""));
        });
      });
    });
    var seen = new Set();
    return terms.filter(function (t) { return t && !seen.has(t) && seen.add(t); }).join(" ");
  }

  function clean(value) {
    return typeof value === "string" ? value.replace(ZWSP, "") : value;
  }

  addEventListener("message", function (ev) {
    var message = ev.data;
    if (!message) return;
    if (message.type === SETUP) learn(message.data.config, message.data.docs);
    else if (message.type === QUERY && typeof message.data === "string") {
      var rewritten = rewrite(message.data);
      if (rewritten) message.data = rewritten;
    }
  });

  var post = self.postMessage.bind(self);
  self.postMessage = function (message) {
    if (message && message.type === RESULT && message.data && message.data.items) {
      message.data.items.forEach(function (group) {
        group.forEach(function (item) {
          item.title = clean(item.title);
          item.text = clean(item.text);
          if (item.parent) item.parent = Object.assign({}, item.parent, {title: clean(item.parent.title)});
        });
      });
    }
    return post.apply(self, arguments);
  };
  self.__erpopsRewrite = rewrite;
  importScripts(MATERIAL);
})();
