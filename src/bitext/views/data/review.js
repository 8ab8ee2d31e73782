// bitext review page: correct an alignment offline. No network, no libraries.
// Every edit replaces a run of consecutive beads with new ones (beads are never
// changed in place), so undo and redo are the same splice in reverse.
(function () {
  "use strict";
  performance.mark("bitext:script");
  var D = JSON.parse(document.getElementById("bitext-data").textContent);
  performance.mark("bitext:data");
  var H = D.header;
  var KEY = "bitext-review:" + H.src_sha256 + ":" + H.tgt_sha256;
  var FLAGS = {};  // the statuses a reviewer looks at: low, unmatched, suspect, omission, addition, findings' kinds
  (D.flags || ["low", "unmatched", "suspect", "omission", "addition"]).forEach(function (k) { FLAGS[k] = 1; });
  var SRC_MISS = new Set(D.srcMiss), TGT_MISS = new Set(D.tgtMiss);
  var list = document.getElementById("beads");
  var $ = function (id) { return document.getElementById(id); };
  var uid = 0, beads, rows, undo = [], redo = [], cur = 0, dirty = false, flaggedOnly = false, query = "";
  var HISTORY = 200; // operations kept across reloads

  function bead(b) {
    return {
      s: b.s, t: b.t, score: b.score == null ? null : b.score, sim: b.sim == null ? null : b.sim,
      status: b.status || "ok", why: b.why || "", approved: !!b.approved, edited: !!b.edited,
      comment: b.comment || "", k: ++uid
    };
  }
  function copy(b, change) {
    var c = bead(b);
    for (var key in change) c[key] = change[key];
    return c;
  }
  // a bead made by hand: no model score; its status follows its shape
  function made(s, t, comment) {
    return bead({ s: s, t: t, score: null, sim: null, edited: true, comment: comment || "",
                  status: !s.length ? "addition" : !t.length ? "omission" : "edited" });
  }
  function pack(b) {
    return [b.s, b.t, b.score, b.sim, b.status, b.why, b.approved ? 1 : 0, b.edited ? 1 : 0, b.comment];
  }
  function unpack(x) {
    return bead({ s: x[0], t: x[1], score: x[2], sim: x[3], status: x[4], why: x[5],
                  approved: x[6], edited: x[7], comment: x[8] });
  }
  function packOp(op) { return [op.at, op.old.map(pack), op.neu.map(pack)]; }
  function unpackOp(x) { return { at: x[0], old: x[1].map(unpack), neu: x[2].map(unpack) }; }

  // -- state kept in localStorage -------------------------------------------
  // Saved after the frame that shows the edit (and at once when the page is hidden
  // or closed), so that an edit responds at once however long the document.
  var pending = 0;
  function save() {
    if (!pending) pending = setTimeout(flush, 0);
  }
  function flush() {
    if (pending) clearTimeout(pending);
    pending = 0;
    var packed = beads.map(pack), error = null;
    // the beads matter most: when the browser's quota is short, less history is kept
    for (var h = HISTORY; ; h = h > 20 ? 20 : 0) {
      var state = { v: 1, origin: D.origin, beads: packed, cur: cur, dirty: dirty,
                    undo: h ? undo.slice(-h).map(packOp) : [], redo: h ? redo.slice(-h).map(packOp) : [] };
      try {
        localStorage.setItem(KEY, JSON.stringify(state));
        localStorage.removeItem(KEY + ":cur");
        error = null;
        break;
      } catch (e) {
        error = e;
        if (!h) break;
      }
    }
    $("saved").textContent = error ? "could not save in this browser (" + error.name + "): download your work"
      : dirty ? "saved in this browser; not downloaded yet" : "downloaded";
  }
  function saveCursor() { // moving changes nothing else: a small key of its own
    try { localStorage.setItem(KEY + ":cur", String(cur)); } catch (e) { /* the beads are what matters */ }
  }
  function restore(saved) {
    beads = saved.beads.map(unpack);
    undo = (saved.undo || []).map(unpackOp);
    redo = (saved.redo || []).map(unpackOp);
    var moved = parseInt(localStorage.getItem(KEY + ":cur"), 10);
    cur = Math.max(0, Math.min(isNaN(moved) ? saved.cur || 0 : moved, beads.length - 1));
    dirty = !!saved.dirty;
  }
  function read(key) {
    try {
      var x = JSON.parse(localStorage.getItem(key));
      return x && x.v === 1 && Array.isArray(x.beads) ? x : null;
    } catch (e) { return null; }
  }
  // A saved state of this page comes back. One of another page of the same texts
  // (written again, e.g. with --fixed) gives way to this page's beads; if it held
  // edits not downloaded, it is kept aside and can be brought back.
  function load() {
    var saved = read(KEY);
    beads = D.beads.map(bead);
    if (saved && saved.origin === D.origin) { restore(saved); return; }
    if (saved && saved.dirty) {
      localStorage.setItem(KEY + ":earlier", JSON.stringify(saved));
      earlier = saved;
    }
  }
  var earlier = null;
  function offerEarlier() {
    if (!earlier) return;
    var b = document.createElement("button");
    b.id = "restore-earlier";
    b.textContent = "bring back the edits not downloaded from an earlier page of these texts";
    b.onclick = function () {
      var was = read(KEY + ":earlier") || earlier;
      undo = [];
      redo = [];
      change(0, beads.length, was.beads.map(unpack), was.cur || 0);
      b.remove();
    };
    $("bar").appendChild(b);
  }

  // -- rendering --------------------------------------------------------------
  function esc(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  function fmt(x) { return x == null ? "\u2013" : x.toFixed(2); }
  function sideHTML(b, side, active) {
    var ids = side === "s" ? b.s : b.t, texts = side === "s" ? D.src : D.tgt;
    var miss = side === "s" ? (b.t.length ? SRC_MISS : null) : (b.s.length ? TGT_MISS : null);
    var out = [];
    for (var x = 0; x < ids.length; x++) {
      var i = ids[x], tools = "";
      if (x > 0 && active) out.push('<button class="cut" data-a="split" data-side="' + side + '" data-at="' + x +
                                    '" title="split the bead here">&#9986;</button>');
      if (active) { // the active bead is the current one: no bead above the first, none below the last
        if (x === 0) tools += '<button data-a="up" data-side="' + side + '" title="move to the previous bead"' +
                              (cur === 0 ? " disabled" : "") + ">&#8593;</button>";
        if (x === ids.length - 1) tools += '<button data-a="down" data-side="' + side + '" title="move to the next bead"' +
                                           (cur === beads.length - 1 ? " disabled" : "") + ">&#8595;</button>";
        if (ids.length > 1 || (side === "s" ? b.t.length : b.s.length))
          tools += '<button data-a="detach" data-side="' + side + '" data-at="' + x + '" title="detach as ' +
                   (side === "s" ? "an omission (1-0)" : "an addition (0-1)") + '">&#8856;</button>';
      }
      out.push('<span class="sn' + (miss && miss.has(i) ? " miss" : "") + '"><span class="id">' + i + "</span>" +
               esc(texts[i]) + (tools ? '<span class="tools">' + tools + "</span>" : "") + "</span>");
    }
    return out.join(" ");
  }
  function isFlag(b) { return FLAGS[b.status] === 1; }
  function shown(b) {
    if (flaggedOnly && !isFlag(b)) return false;
    if (!query) return true;
    var q = query.toLowerCase(), i;
    for (i = 0; i < b.s.length; i++) if (D.src[b.s[i]].toLowerCase().indexOf(q) >= 0) return true;
    for (i = 0; i < b.t.length; i++) if (D.tgt[b.t[i]].toLowerCase().indexOf(q) >= 0) return true;
    return b.comment.toLowerCase().indexOf(q) >= 0;
  }
  function beadHTML(b, active) {
    var st = b.status, col = D.colours[st] || "#000";
    var cls = "bead s-" + st + (isFlag(b) ? " flag" : "") + (b.approved ? " approved" : "") +
              (b.edited ? " edited" : "") + (active ? " cur" : "") + (shown(b) ? "" : " hid");
    var acts = active
      ? '<div class="acts"><button data-a="mergeprev" title="merge with the previous bead (M)"' +
        (cur === 0 ? " disabled" : "") + ">merge &#8593;</button>" +
        '<button data-a="mergenext" title="merge with the next bead (m)"' +
        (cur === beads.length - 1 ? " disabled" : "") + ">merge &#8595;</button>" +
        '<button data-a="approve" title="approve (a)">' + (b.approved ? "unapprove" : "approve") + "</button>" +
        '<input class="cmt-in" data-a="comment" placeholder="comment (c)" value="' + esc(b.comment) + '"></div>'
      : "";
    return '<div class="' + cls + '" style="background:' + (D.backgrounds[st] || "#fff") + ';border-left-color:' + col + '">' +
      '<div class="meta"><span class="st" style="color:' + col + '">' + esc(D.labels[st] || st) + "</span>" +
      '<span class="sc" title="score (estimated probability that the bead is right)">' + fmt(b.score) + "</span>" +
      (b.approved ? '<span class="ok" title="approved">&#10003;</span>' : "") +
      (b.why ? '<div class="why">' + esc(b.why) + "</div>" : "") + "</div>" +
      '<div class="side src" lang="' + esc(H.src_lang) + '">' + sideHTML(b, "s", active) + "</div>" +
      '<div class="side tgt" lang="' + esc(H.tgt_lang) + '">' + sideHTML(b, "t", active) + "</div>" +
      (b.comment && !active ? '<div class="cmt">' + esc(b.comment) + "</div>" : "") + acts + "</div>";
  }
  var tpl = document.createElement("template");
  function element(b, active) {
    tpl.innerHTML = beadHTML(b, active);
    return tpl.content.firstChild;
  }
  // Rows sit in chunks of CHUNK beads, each laid out only when on screen
  // (content-visibility), so that an edit lays out one chunk, not the document.
  // The rows around the current bead come first, so that the page shows at once;
  // the rest follows in slices between frames. Any edit finishes the job first.
  var CHUNK = 100, FIRST = 200, SLICE = 400, pendingRange = null;
  function chunksHTML(a, b) {
    var out = [];
    for (var i = a; i < b; i++) {
      if ((i - a) % CHUNK === 0) out.push(i === a ? '<div class="chunk">' : '</div><div class="chunk">');
      out.push(beadHTML(beads[i], i === cur));
    }
    if (b > a) out.push("</div>");
    return out.join("");
  }
  function mapRows(parent, a) { // rows[a ...] = the rows under parent, in order
    var els = parent.querySelectorAll(".bead");
    for (var i = 0; i < els.length; i++) rows[a + i] = els[i];
  }
  function renderAll() {
    var a = Math.max(0, Math.min(cur - FIRST / 2, beads.length - FIRST)), b = Math.min(beads.length, a + FIRST);
    list.innerHTML = chunksHTML(a, b);
    rows = new Array(beads.length);
    mapRows(list, a);
    pendingRange = [a, b];
    if (b - a < beads.length) setTimeout(renderSlice, 0);
    else finished();
  }
  function renderWhole() { // every row at once (after an edit of most of the document)
    list.innerHTML = chunksHTML(0, beads.length);
    rows = new Array(beads.length);
    mapRows(list, 0);
  }
  function renderSlice(all) {
    var r = pendingRange, before = false, moved = false;
    while (r && (r[0] > 0 || r[1] < beads.length)) {
      before = r[0] > 0; // the rows before the first ones, then those after the last
      var a = before ? Math.max(0, r[0] - SLICE) : r[1], b = before ? r[0] : Math.min(beads.length, r[1] + SLICE);
      tpl.innerHTML = chunksHTML(a, b);
      var frag = tpl.content;
      mapRows(frag, a);
      list.insertBefore(frag, before ? list.firstChild : null);
      r[before ? 0 : 1] = before ? a : b;
      moved = moved || before;
      if (!all) break;
    }
    if (r && r[0] === 0 && r[1] === beads.length) { pendingRange = null; finished(); }
    else if (!all) setTimeout(renderSlice, 0);
    if (moved && rows[cur]) rows[cur].scrollIntoView({ block: "nearest" });
  }
  function whole() { if (pendingRange) renderSlice(true); } // every row in place, before an edit
  function finished() {
    list.classList.add("complete");
    performance.mark("bitext:complete");
  }
  function rerender(i) {
    if (i < 0 || i >= beads.length) return;
    var el = element(beads[i], i === cur);
    rows[i].replaceWith(el);
    rows[i] = el;
  }
  function progress() {
    var n = 0;
    for (var i = 0; i < beads.length; i++) if (beads[i].approved) n++;
    $("progress").textContent = n.toLocaleString("en-US") + " of " + beads.length.toLocaleString("en-US") +
      " beads approved";
    $("undo").disabled = !undo.length;
    $("redo").disabled = !redo.length;
  }

  // -- edits ------------------------------------------------------------------
  function splice(at, count, neu) {
    whole();
    var old = beads.splice.apply(beads, [at, count].concat(neu));
    if (count + neu.length > 4 * CHUNK) { renderWhole(); return old; }
    var els = neu.map(function (b) { return element(b, false); });
    var ref = rows[at + count] || null, last = rows[at + count - 1];
    var parent = ref ? ref.parentNode : last.parentNode;
    for (var x = 0; x < els.length; x++) parent.insertBefore(els[x], ref);
    var gone = rows.splice.apply(rows, [at, count].concat(els));
    for (x = 0; x < gone.length; x++) gone[x].remove();
    return old;
  }
  function change(at, count, neu, focus) {
    var old = splice(at, count, neu);
    undo.push({ at: at, old: old, neu: neu });
    redo.length = 0;
    settle(focus == null ? at : focus);
  }
  function settle(focus) {
    dirty = true;
    var was = rows.indexOf(list.querySelector(".bead.cur"));
    cur = Math.max(0, Math.min(focus, beads.length - 1));
    if (was >= 0 && was !== cur) rerender(was);
    rerender(cur);
    progress();
    save();
    rows[cur].scrollIntoView({ block: "nearest" });
  }
  function replay(from, to, forward) { // the last operation of one stack, undone or redone
    var op = from.pop();
    if (!op) return;
    splice(op.at, (forward ? op.old : op.neu).length, forward ? op.neu : op.old);
    to.push(op);
    settle(op.at);
  }
  function doUndo() { replay(undo, redo, false); }
  function doRedo() { replay(redo, undo, true); }
  function joinComments(a, b) { return [a.comment, b.comment].filter(Boolean).join(" / "); }
  function merge(i) { // bead i with bead i + 1
    if (i < 0 || i + 1 >= beads.length) return;
    var a = beads[i], b = beads[i + 1];
    change(i, 2, [made(a.s.concat(b.s), a.t.concat(b.t), joinComments(a, b))], i);
  }
  function chars(texts, ids) {
    var n = 0;
    for (var x = 0; x < ids.length; x++) n += texts[ids[x]].length;
    return n;
  }
  // where the other side's cut goes: its share of characters closest to this side's
  function matchingCut(ids, texts, share) {
    var total = chars(texts, ids) || 1, best = 0, gap = Infinity;
    for (var l = 0; l <= ids.length; l++) {
      var d = Math.abs(chars(texts, ids.slice(0, l)) / total - share);
      if (d < gap - 1e-9) { gap = d; best = l; }
    }
    return best;
  }
  function cutAt(b, side, x) { // [first part, second part] of bead b cut before sentence x of side
    var mine = side === "s" ? b.s : b.t, other = side === "s" ? b.t : b.s;
    var mt = side === "s" ? D.src : D.tgt, ot = side === "s" ? D.tgt : D.src;
    var l = matchingCut(other, ot, chars(mt, mine.slice(0, x)) / (chars(mt, mine) || 1));
    var a = [mine.slice(0, x), other.slice(0, l)], c = [mine.slice(x), other.slice(l)];
    return side === "s" ? [[a[0], a[1]], [c[0], c[1]]] : [[a[1], a[0]], [c[1], c[0]]];
  }
  function split(i, side, x) {
    var b = beads[i], mine = side === "s" ? b.s : b.t;
    if (x == null) x = Math.ceil(mine.length / 2);
    if (x < 1 || x >= mine.length) return;
    var parts = cutAt(b, side, x);
    change(i, 1, [made(parts[0][0], parts[0][1], b.comment), made(parts[1][0], parts[1][1])], i);
  }
  function without(b, side, from, to) { // b's side ids [from, to) removed
    var ids = side === "s" ? b.s : b.t, rest = ids.slice(0, from).concat(ids.slice(to));
    return side === "s" ? [rest, b.t] : [b.s, rest];
  }
  function move(i, side, up) { // first sentence of side to the bead above, or the last to the bead below
    var b = beads[i], j = up ? i - 1 : i + 1, ids = side === "s" ? b.s : b.t;
    if (j < 0 || j >= beads.length || !ids.length) return;
    var n = beads[j], x = up ? ids[0] : ids[ids.length - 1];
    var nIds = side === "s" ? n.s : n.t;
    var grown = up ? nIds.concat([x]) : [x].concat(nIds);
    var g = made(side === "s" ? grown : n.s, side === "s" ? n.t : grown, n.comment);
    var r = without(b, side, up ? 0 : ids.length - 1, up ? 1 : ids.length);
    var left = r[0].length || r[1].length ? [made(r[0], r[1], b.comment)] : [];
    if (up) change(i - 1, 2, [g].concat(left), left.length ? i : i - 1);
    else change(i, 2, left.concat([g]), i);
  }
  function detach(i, side, x) { // sentence x of side as a bead of its own, 1-0 or 0-1
    var b = beads[i], ids = side === "s" ? b.s : b.t;
    if (x == null) x = ids.length - 1;
    if (x < 0 || x >= ids.length) return;
    var one = side === "s" ? made([ids[x]], []) : made([], [ids[x]]);
    if (x === 0 || x === ids.length - 1) {
      var r = without(b, side, x, x + 1);
      if (!r[0].length && !r[1].length) return;
      var rest = made(r[0], r[1], b.comment);
      change(i, 1, x === 0 ? [one, rest] : [rest, one], x === 0 ? i : i + 1);
      return;
    }
    var parts = cutAt(b, side, x); // the middle: split there, then take the sentence off the second part
    var second = side === "s" ? [parts[1][0].slice(1), parts[1][1]] : [parts[1][0], parts[1][1].slice(1)];
    var neu = [made(parts[0][0], parts[0][1], b.comment), one];
    if (second[0].length || second[1].length) neu.push(made(second[0], second[1]));
    change(i, 1, neu, i + 1);
  }
  function approve(i, advance) { // advance: then on to the next bead shown (one render, one scroll)
    var b = beads[i];
    change(i, 1, [copy(b, { approved: !b.approved })], advance && !b.approved ? nextShown(i, 1) : i);
  }
  function approveShown() {
    var neu = beads.map(function (b) { return !b.approved && shown(b) ? copy(b, { approved: true }) : b; });
    if (neu.every(function (b, i) { return b === beads[i]; })) return;
    var at = cur;
    change(0, beads.length, neu, at);
  }
  function comment(i, text) {
    var b = beads[i];
    if (text === b.comment) return;
    change(i, 1, [copy(b, { comment: text })], i);
  }

  // -- navigation, filter, search ----------------------------------------------
  function select(i) {
    whole();
    if (i === cur || i < 0 || i >= beads.length) return;
    var old = cur;
    cur = i;
    rerender(old);
    rerender(cur);
    rows[cur].scrollIntoView({ block: "nearest" });
    saveCursor();
  }
  function nextShown(from, step) {
    for (var i = from + step; i >= 0 && i < beads.length; i += step) if (shown(beads[i])) return i;
    return from;
  }
  function go(step) { select(nextShown(cur, step)); }
  function refilter() {
    whole();
    list.classList.toggle("filtered", flaggedOnly || !!query);
    for (var i = 0; i < beads.length; i++) rows[i].classList.toggle("hid", !shown(beads[i]));
  }
  function beadOf(side, id) { // the bead that now holds sentence id of side
    for (var i = 0; i < beads.length; i++) if ((side === "s" ? beads[i].s : beads[i].t).indexOf(id) >= 0) return i;
    return -1;
  }

  // -- downloads -----------------------------------------------------------------
  function text(b, side) {
    var ids = side === "s" ? b.s : b.t, texts = side === "s" ? D.src : D.tgt;
    return ids.map(function (i) { return texts[i]; }).join(side === "s" ? D.srcJoin : D.tgtJoin);
  }
  // where a bead's first sentence on a side sits in its document ({paragraph: 3}, {cue: 14, start: ...}),
  // as bitext align writes it; null for plain text or an empty side
  function position(b, side) {
    var all = side === "s" ? D.srcPos : D.tgtPos;
    if (!all || !b[side].length) return null;
    var p = all[b[side][0]];
    return p && Object.keys(p).length ? p : null;
  }
  function toJSONL() {
    var out = [JSON.stringify(H)];
    beads.forEach(function (b) {
      var rec = { src_ids: b.s, tgt_ids: b.t, score: b.score, similarity: b.sim,
                  src: text(b, "s"), tgt: text(b, "t"),
                  approved: b.approved, edited: b.edited, comment: b.comment };
      var ps = position(b, "s"), pt = position(b, "t");
      if (ps) rec.src_position = ps;
      if (pt) rec.tgt_position = pt;
      out.push(JSON.stringify(rec));
    });
    return out.join("\n") + "\n";
  }
  function cell(s) { return s.replace(/[\t\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/g, " "); }
  function toTSV() {
    var out = ["src_ids\ttgt_ids\tscore\tsrc\ttgt\tapproved\tedited\tcomment"];
    beads.forEach(function (b) {
      out.push([b.s.join(","), b.t.join(","), b.score == null ? "" : b.score.toFixed(4), cell(text(b, "s")),
                cell(text(b, "t")), b.approved ? "1" : "0", b.edited ? "1" : "0", cell(b.comment)].join("\t"));
    });
    return out.join("\n") + "\n";
  }
  function xml(s) {
    return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
            .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function toTMX() {
    var sl = xml(H.src_lang), tl = xml(H.tgt_lang);
    var out = ['<?xml version="1.0" encoding="UTF-8"?>', '<tmx version="1.4">',
      '  <header creationtool="bitext" creationtoolversion="' + xml(H.bitext) + '" segtype="sentence"' +
      ' o-tmf="bitext" adminlang="en" srclang="' + sl + '" datatype="plaintext"/>', "  <body>"];
    beads.forEach(function (b) {
      if (!b.s.length || !b.t.length) return;
      out.push("    <tu>");
      if (b.score != null) out.push('      <prop type="x-bitext-score">' + b.score.toFixed(4) + "</prop>");
      out.push('      <prop type="x-bitext-src-ids">' + b.s.join(",") + "</prop>",
               '      <prop type="x-bitext-tgt-ids">' + b.t.join(",") + "</prop>",
               '      <prop type="x-bitext-approved">' + (b.approved ? "1" : "0") + "</prop>",
               '      <prop type="x-bitext-edited">' + (b.edited ? "1" : "0") + "</prop>");
      [["s", "src"], ["t", "tgt"]].forEach(function (sd) {
        var p = position(b, sd[0]);
        if (p) Object.keys(p).forEach(function (k) {
          out.push('      <prop type="x-bitext-' + sd[1] + "-" + xml(k) + '">' + xml(String(p[k])) + "</prop>");
        });
      });
      if (b.comment) out.push("      <note>" + xml(b.comment) + "</note>");
      out.push('      <tuv xml:lang="' + sl + '"><seg>' + xml(text(b, "s")) + "</seg></tuv>",
               '      <tuv xml:lang="' + tl + '"><seg>' + xml(text(b, "t")) + "</seg></tuv>", "    </tu>");
    });
    out.push("  </body>", "</tmx>");
    return out.join("\n") + "\n";
  }
  function download(ext, body, type) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([body], { type: type + ";charset=utf-8" }));
    a.download = D.name + ".reviewed." + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 0);
    dirty = false;
    flush();
  }

  // -- events --------------------------------------------------------------------
  function act(name, el) {
    var side = el.getAttribute("data-side"), at = el.getAttribute("data-at");
    at = at == null ? null : +at;
    if (name === "mergenext") merge(cur);
    else if (name === "mergeprev") merge(cur - 1);
    else if (name === "approve") approve(cur, true); // as the key: approve, then the next bead
    else if (name === "split") split(cur, side, at);
    else if (name === "up") move(cur, side, true);
    else if (name === "down") move(cur, side, false);
    else if (name === "detach") detach(cur, side, at);
  }
  list.addEventListener("click", function (e) {
    whole();
    var row = e.target.closest(".bead");
    if (!row) return;
    var i = rows.indexOf(row), btn = e.target.closest("button[data-a]");
    if (btn && i === cur) act(btn.getAttribute("data-a"), btn);
    else select(i);
  });
  list.addEventListener("change", function (e) {
    if (e.target.classList.contains("cmt-in")) comment(cur, e.target.value);
  });
  $("undo").onclick = doUndo;
  $("redo").onclick = doRedo;
  $("approve-shown").onclick = approveShown;
  $("flagged").onchange = function () { flaggedOnly = this.checked; refilter(); };
  function search(text) {
    if (text.trim() === query) return;
    query = text.trim();
    refilter();
  }
  // "input" for typing and for the box's own clear button; "search" for Escape and
  // Enter, which some browsers handle without an "input" event
  $("search").oninput = function () { search(this.value); };
  $("search").addEventListener("search", function () { search(this.value); });
  $("dl-jsonl").onclick = function () { download("jsonl", toJSONL(), "application/x-ndjson"); };
  $("dl-tsv").onclick = function () { download("tsv", toTSV(), "text/tab-separated-values"); };
  $("dl-tmx").onclick = function () { download("tmx", toTMX(), "application/x-tmx+xml"); };
  document.addEventListener("click", function (e) { // findings link to beads as first aligned
    var a = e.target.closest("a[href^='#b']");
    if (!a) return;
    var b = D.beads[+a.getAttribute("href").slice(2)];
    if (!b) return;
    e.preventDefault();
    var i = b.s.length ? beadOf("s", b.s[0]) : beadOf("t", b.t[0]);
    if (i >= 0) { if (!shown(beads[i])) { flaggedOnly = false; query = ""; $("flagged").checked = false; $("search").value = ""; refilter(); } select(i); }
  });
  document.addEventListener("keydown", function (e) {
    whole();
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) {
      if (e.key === "Escape") {
        if (t.id === "search") { // Escape empties the box: the search ends, every bead comes back
          e.preventDefault();
          t.value = "";
          search("");
        }
        t.blur();
      }
      return;
    }
    var k = e.key, ctrl = e.ctrlKey || e.metaKey;
    if (ctrl && (k === "z" || k === "Z")) { e.shiftKey ? doRedo() : doUndo(); }
    else if (ctrl && (k === "y" || k === "Y")) doRedo();
    else if (ctrl || e.altKey) return;
    else if (k === "j" || k === "ArrowDown") go(1);
    else if (k === "k" || k === "ArrowUp") go(-1);
    else if (k === "m") merge(cur);
    else if (k === "M") merge(cur - 1);
    else if (k === "s") split(cur, beads[cur].s.length > 1 ? "s" : "t");
    else if (k === "S") split(cur, "t");
    else if (k === "[") move(cur, "s", true);
    else if (k === "]") move(cur, "s", false);
    else if (k === "{") move(cur, "t", true);
    else if (k === "}") move(cur, "t", false);
    else if (k === "o") detach(cur, "s");
    else if (k === "n") detach(cur, "t");
    else if (k === "a") approve(cur, true);
    else if (k === "u") doUndo();
    else if (k === "r") doRedo();
    else if (k === "f") { flaggedOnly = !flaggedOnly; $("flagged").checked = flaggedOnly; refilter(); }
    else if (k === "/") $("search").focus();
    else if (k === "c") { var c = rows[cur].querySelector(".cmt-in"); if (c) c.focus(); }
    else return;
    e.preventDefault();
  });
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.hidden) flush(); });
  window.addEventListener("beforeunload", function (e) {
    flush();
    if (!dirty) return;
    e.preventDefault();
    e.returnValue = "";
    return "";
  });

  load();
  performance.mark("bitext:loaded");
  renderAll();
  performance.mark("bitext:rendered");
  progress();
  offerEarlier();
  performance.mark("bitext:ready");
  requestAnimationFrame(function () { setTimeout(function () { performance.mark("bitext:shown"); }, 0); });
  $("saved").textContent = dirty ? "restored from this browser; not downloaded yet" : "";
  window.bitextReview = { // for scripts and tests: the beads as the download has them
    beads: function () { return toJSONL(); }, cur: function () { return cur; },
    edits: function () { return undo.length; }
  };
})();
