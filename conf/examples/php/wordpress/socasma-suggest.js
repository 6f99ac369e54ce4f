/* socasma-suggest.js: search as you type in the WordPress site's own search
 * boxes (the plugin socasma-search enqueues it with its settings in
 * window.socasmaSuggest: the REST endpoint and the strings, in the site's
 * language).
 *
 * Every search box of the theme (an input named "s" in a form, or in a
 * form[role=search]) becomes an ARIA combobox: as the visitor types, the
 * endpoint's completions and post titles are listed under the box; Down
 * and Up move through them, Enter takes one (a completion searches it, a
 * title opens the post), Escape closes the list, and the number of
 * suggestions is announced. Without this script the forms work as the
 * theme made them. Plain JavaScript, no library. */
(function () {
  'use strict';
  var cfg = window.socasmaSuggest;
  if (!cfg || !cfg.endpoint || !window.fetch || !document.querySelectorAll) {
    return;
  }
  var DELAY_MS = 120;
  var MIN_CHARS = 2;
  var boxes = 0;

  function countText(n) {
    if (n === 0) { return cfg.count0; }
    if (n === 1) { return cfg.count1; }
    return cfg.countn.replace('%s', String(n));
  }

  function attach(input) {
    if (input.getAttribute('data-socasma') || !input.form) {
      return;
    }
    input.setAttribute('data-socasma', '1');
    var n = ++boxes;
    var form = input.form;
    var list = document.createElement('div');
    list.id = 'socasma-suggest-' + n;
    list.className = 'socasma-suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', cfg.label);
    list.hidden = true;
    var status = document.createElement('div');
    status.className = 'socasma-visually-hidden';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    /* The list goes right after the box, in a positioned wrapper. */
    var wrap = document.createElement('div');
    wrap.className = 'socasma-combo';
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('autocomplete', 'off');

    var options = [];
    var active = -1;
    var timer = null;
    var pending = null;

    function setActive(i) {
      if (active >= 0 && options[active]) {
        options[active].el.setAttribute('aria-selected', 'false');
        options[active].el.classList.remove('active');
      }
      active = i;
      if (active >= 0 && options[active]) {
        options[active].el.setAttribute('aria-selected', 'true');
        options[active].el.classList.add('active');
        input.setAttribute('aria-activedescendant', options[active].el.id);
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function close() {
      setActive(-1);
      options = [];
      list.hidden = true;
      while (list.firstChild) { list.removeChild(list.firstChild); }
      input.setAttribute('aria-expanded', 'false');
    }

    function group(label, id) {
      var g = document.createElement('div');
      g.setAttribute('role', 'group');
      g.setAttribute('aria-labelledby', id);
      var l = document.createElement('div');
      l.setAttribute('role', 'presentation');
      l.className = 'socasma-group-label';
      l.id = id;
      l.textContent = label;
      g.appendChild(l);
      list.appendChild(g);
      return g;
    }

    function addOption(parent, kind, text, url) {
      var el = document.createElement('div');
      el.setAttribute('role', 'option');
      el.setAttribute('aria-selected', 'false');
      el.id = list.id + '-option-' + options.length;
      el.className = 'socasma-option socasma-option-' + kind;
      el.textContent = text;
      var index = options.length;
      el.addEventListener('mousedown', function (e) {
        e.preventDefault();
        choose(index);
      });
      parent.appendChild(el);
      options.push({ el: el, kind: kind, text: text, url: url });
    }

    function render(data) {
      close();
      var completions = (data && data.completions) || [];
      var titles = (data && data.titles) || [];
      if (completions.length) {
        var g1 = group(cfg.words, list.id + '-words');
        completions.forEach(function (c) { addOption(g1, 'query', c.text, c.url); });
      }
      if (titles.length) {
        var g2 = group(cfg.titles, list.id + '-titles');
        titles.forEach(function (t) {
          if (/^https?:\/\//i.test(t.url)) { addOption(g2, 'title', t.title, t.url); }
        });
      }
      if (options.length) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
      status.textContent = countText(options.length);
    }

    function choose(i) {
      var o = options[i];
      if (!o) { return; }
      close();
      if (o.kind === 'title') {
        window.location.href = o.url;
        return;
      }
      input.value = o.text;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }

    function load() {
      var text = input.value;
      if (text.trim().length < MIN_CHARS) {
        close();
        status.textContent = '';
        return;
      }
      if (pending) { pending.abort(); }
      pending = window.AbortController ? new AbortController() : null;
      var url = cfg.endpoint + (cfg.endpoint.indexOf('?') < 0 ? '?' : '&') + 'q=' + encodeURIComponent(text);
      window.fetch(url, { signal: pending ? pending.signal : undefined, credentials: 'omit',
                          headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data && input.value === text && document.activeElement === input) { render(data); }
        })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(load, DELAY_MS);
    });
    input.addEventListener('keydown', function (e) {
      var open = !list.hidden && options.length > 0;
      switch (e.key) {
      case 'ArrowDown':
      case 'Down':
        if (!open) { return; }
        e.preventDefault();
        setActive(active + 1 < options.length ? active + 1 : 0);
        break;
      case 'ArrowUp':
      case 'Up':
        if (!open) { return; }
        e.preventDefault();
        setActive(active > 0 ? active - 1 : options.length - 1);
        break;
      case 'Enter':
        if (open && active >= 0) {
          e.preventDefault();
          choose(active);
        }
        break;
      case 'Escape':
      case 'Esc':
        if (open) {
          e.preventDefault();
          close();
        }
        break;
      case 'Tab':
        close();
        break;
      }
    });
    input.addEventListener('blur', function () {
      setTimeout(function () { if (document.activeElement !== input) { close(); } }, 150);
    });
    form.addEventListener('submit', function () {
      clearTimeout(timer);
      if (pending) { pending.abort(); }
      close();
    });
  }

  function scan() {
    var inputs = document.querySelectorAll('form[role=search] input[name=s], form input[type=search][name=s], form input.search-field[name=s]');
    for (var i = 0; i < inputs.length; i++) { attach(inputs[i]); }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', scan);
  } else {
    scan();
  }
}());
