// The all-positions page's search over the Pagefind index the build writes (site_builder/search.py).
// Pagefind downloads only the index chunks a query needs. Without JavaScript the form stays hidden
// and the page lists every position, 50 to a page.
(function () {
  "use strict";
  var form = document.getElementById("jx-search");
  var script = document.currentScript;
  if (!form || !script) return;
  var root = new URL("../", script.src); // the site's root: this file is <root>/javascripts/search.js
  var results = document.getElementById("jx-results");
  var list = results.querySelector("ol");
  var more = results.querySelector(".jx-results__more");
  var listing = null; // the plain list below, once the page is parsed
  var status = form.querySelector(".jx-filters__result");
  // The form's field names (also the page's query string) and the filters' names in the index.
  var FILTERS = { type: "类型", track: "性质", district: "区县", kind: "单位类别", degree: "学历", state: "状态", standing: "单位认定" };
  var CLOSED = { expired: "已截止", closed: "已关闭", filled: "已招满" };
  var PAGE = 20;
  // Today in Beijing time as YYYY-MM-DD: a position whose deadline passed since the build is 已截止.
  var today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  var start = new URLSearchParams(location.search);
  var asked = ["q"].concat(Object.keys(FILTERS)).filter(function (name) { return start.get(name); });

  // This script runs where it stands, before the list below it is parsed: show the form now, and
  // for a search in the address its results' place instead of the list (jianxi.css).
  form.hidden = false;
  if (asked.length) {
    results.hidden = false;
    results.classList.add("jx-results--loading");
    document.documentElement.classList.add("jx-searching");
  }
  document.addEventListener("DOMContentLoaded", wire);

  var pagefind = null;
  var replaced = {};
  var found = [];
  var shown = 0;
  var latest = 0;
  var timer = null;

  // What changed since the full build (site_builder.live): a small bundle to merge, and the ids of
  // the full index's records it replaces (positions changed or removed), left out of the results.
  function liveChanges(module) {
    return fetch(new URL("search-live.json", root).href, { cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .catch(function () { return {}; })
      .then(function (live) {
        replaced = {};
        (live.replaced || []).forEach(function (id) { replaced[id] = true; });
        if (live.bundle) return module.mergeIndex(new URL(live.bundle, root).pathname);
      });
  }

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        return module.options({ baseUrl: root.pathname }).then(function () {
          return liveChanges(module);
        }).then(function () {
          module.init();
          return module;
        });
      });
      pagefind.catch(function () { pagefind = null; }); // a dropped connection: the next search tries again
    }
    return pagefind;
  }

  function wanted() {
    var filters = {};
    var params = new URLSearchParams();
    var typed = form.elements.q.value.trim();
    if (typed) params.set("q", typed);
    Object.keys(FILTERS).forEach(function (name) {
      var value = form.elements[name].value;
      if (value) {
        filters[FILTERS[name]] = value;
        params.set(name, value);
      }
    });
    return { text: known(typed, filters), filters: filters, params: params };
  }

  // A district or a type typed as a word is a known name, which Pagefind's Chinese segmentation
  // matches poorly (渝中区 found one of four; 渝中 also found 渝北区): it becomes that filter, and the
  // rest of the words are searched. A word that starts exactly one district's name (渝中, 万州)
  // stands for that district. The choices come from the form's own lists.
  function known(text, filters) {
    var words = text.split(/\s+/).filter(Boolean);
    ["district", "type"].forEach(function (name) {
      if (filters[FILTERS[name]]) return;
      var choices = Array.prototype.filter.call(form.elements[name].options, function (o) { return o.value; });
      var options = choices.map(function (o) { return o.value; });
      for (var i = 0; i < words.length; i++) {
        var word = words[i];
        var exact = options.filter(function (v) { return v === word; });
        var starts = name === "district" && word.length > 1 && /[\u3400-\u9fff]/.test(word)
          ? options.filter(function (v) { return v.indexOf(word) === 0; }) : [];
        // Its pinyin, in full or as initials (yz, yuzhong), when no other district has the same.
        var typed = word.toLowerCase();
        var spelt = choices.filter(function (o) {
          return (o.dataset.pinyin || "").split(" ").indexOf(typed) >= 0;
        }).map(function (o) { return o.value; });
        var found = exact.length ? exact : starts.length === 1 ? starts : spelt.length === 1 ? spelt : [];
        if (found.length) {
          filters[FILTERS[name]] = found[0];
          words.splice(i, 1);
          return;
        }
      }
    });
    return words.join(" ");
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function item(data) {
    var meta = data.meta;
    var state = meta.state !== "open" ? meta.state : meta.deadline < today ? "expired" : "open";
    var li = element("li", "jx-row--" + state);
    var link = element("a", "", meta.title);
    link.href = data.url;
    li.appendChild(link);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(element("span", "jx-badge jx-badge--" + state, CLOSED[state] || "招募中"));
    if (meta.pending) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(element("span", "jx-badge jx-badge--pending-unit", "见习单位认定中"));
    }
    if (meta.sample) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(element("span", "jx-badge jx-badge--sample", "示例"));
    }
    li.appendChild(element("br"));
    var facts = [meta.unit, meta.district, meta.track, meta.allowance + " 元/月", "截止 " + meta.deadline];
    li.appendChild(element("small", "", facts.join(" · ")));
    return li;
  }

  // The next PAGE results as list items; the list changes only once they are all loaded, so a
  // screen reader hears the count when the results are there.
  function nextItems() {
    var batch = found.slice(shown, shown + PAGE);
    shown += batch.length;
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
      return pages.map(item);
    });
  }

  function append(items) {
    items.forEach(function (li) { list.appendChild(li); });
    more.hidden = shown >= found.length;
  }

  function showMore() {
    var mine = latest;
    more.disabled = true;
    return nextItems().then(function (items) {
      more.disabled = false;
      if (mine !== latest || !items.length) return; // a newer search replaced the list meanwhile
      append(items);
      items[0].querySelector("a").focus(); // the button may be gone: go on from the first new one
    });
  }

  // Open positions first, as the page says, each group in Pagefind's order (relevance; for filters
  // alone, the word every record holds, pages.EVERY, newest first): two searches, one per group,
  // unless a state was chosen.
  function openFirst(module, query) {
    var term = query.text || form.dataset.every;
    function group(state) {
      var filters = Object.assign({}, query.filters);
      if (state) filters[FILTERS.state] = state;
      var options = { filters: filters };
      if (!query.text) options.sort = { published: "desc" };
      return module.search(term, options).then(function (search) { return search.results; });
    }
    if (query.filters[FILTERS.state]) return group(null);
    var others = Object.keys(CLOSED).map(function (key) { return CLOSED[key]; });
    return Promise.all([group("招募中"), group({ any: others })]).then(function (both) {
      return both[0].concat(both[1]);
    });
  }

  function run() {
    var query = wanted();
    var search = query.params.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
    var mine = ++latest;
    if (!search) {
      results.hidden = true;
      listing.hidden = false;
      status.textContent = "";
      return Promise.resolve();
    }
    status.textContent = "正在搜索…";
    if (!list.children.length) results.classList.add("jx-results--loading");
    return load()
      .then(function (module) { return openFirst(module, query); })
      .then(function (matches) {
        if (mine !== latest) return;
        found = matches.filter(function (match) { return !replaced[match.id]; });
        shown = 0;
        return nextItems().then(function (items) {
          if (mine !== latest) return;
          list.textContent = "";
          results.classList.remove("jx-results--loading");
          append(items);
          listing.hidden = true;
          results.hidden = false;
          status.textContent = found.length
            ? "找到 " + found.length + " 个岗位"
            : "没有找到符合条件的岗位，可以换个关键词或少选几个条件。";
        });
      })
      .catch(function () {
        if (mine !== latest) return;
        results.hidden = true;
        listing.hidden = false;
        status.textContent = "搜索暂时无法使用，请逐页浏览下面的岗位，或稍后再试。";
      });
  }

  function wire() {
    listing = document.getElementById("jx-static");
    document.documentElement.classList.remove("jx-searching");
    asked.forEach(function (name) {
      var field = form.elements[name];
      var value = start.get(name);
      // A select keeps its choice unless the address names one of its options.
      if (!field.options || Array.prototype.some.call(field.options, function (o) { return o.value === value; })) {
        field.value = value;
      }
    });
    if (asked.length) listing.hidden = true;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    form.addEventListener("change", function () {
      clearTimeout(timer);
      run();
    });
    form.elements.q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 300);
    });
    more.addEventListener("click", showMore);
    if (asked.length) run();
  }
})();
