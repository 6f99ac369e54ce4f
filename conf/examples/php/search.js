/* search.js: search as you type for the example search page (search.php).
 *
 * Plain JavaScript, served from the page's own origin (no framework, no
 * CDN). As the visitor types, it asks suggest.php (the daemon's `suggest`
 * op) and lists, under the box, the query completed from the archive's
 * words and the top titles. The box is an ARIA combobox: Down and Up move
 * through the list, Enter takes the chosen suggestion (a completed query
 * is searched, a title is opened), Escape closes the list, and the number
 * of suggestions is announced. Without this script the form works as it
 * is. The page gives the endpoint and the strings in data-* attributes of
 * the form, in its own language.
 *
 * It also folds the filters on narrow screens (when none is active), so
 * that the results come first on a phone. */
(function () {
  'use strict';

  var form = document.getElementById('search-form');
  var input = document.getElementById('q');
  var list = document.getElementById('q-suggestions');
  var status = document.getElementById('q-status');

  /* ---- the filters: folded on phones --------------------------------- */
  var filters = document.getElementById('filters');
  if (filters && window.matchMedia) {
    var wide = window.matchMedia('(min-width: 48em)');
    if (!wide.matches && !filters.hasAttribute('data-active')) {
      filters.open = false;
    }
    var unfold = function (e) { if (e.matches) { filters.open = true; } };
    if (wide.addEventListener) {
      wide.addEventListener('change', unfold);
    }
  }

  if (!form || !input || !list || !status || !window.fetch) {
    return;
  }
  var endpoint = form.getAttribute('data-suggest');
  var DELAY_MS = 120;
  var MIN_CHARS = 2;

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  var options = [];   /* {el, kind: 'query'|'title', value} */
  var active = -1;
  var timer = null;
  var pending = null; /* AbortController of the request in flight */
  var shownFor = null;

  function say(text) {
    status.textContent = text;
  }

  function countText(n) {
    if (n === 0) { return form.getAttribute('data-count0'); }
    if (n === 1) { return form.getAttribute('data-count1'); }
    return form.getAttribute('data-countn').replace('%s', String(n));
  }

  function setActive(i) {
    if (active >= 0 && options[active]) {
      options[active].el.setAttribute('aria-selected', 'false');
      options[active].el.classList.remove('active');
    }
    active = i;
    if (active >= 0 && options[active]) {
      var el = options[active].el;
      el.setAttribute('aria-selected', 'true');
      el.classList.add('active');
      input.setAttribute('aria-activedescendant', el.id);
      if (el.scrollIntoView) { el.scrollIntoView({ block: 'nearest' }); }
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
    shownFor = null;
  }

  function group(label, id) {
    var g = document.createElement('div');
    g.setAttribute('role', 'group');
    g.setAttribute('aria-labelledby', id);
    var l = document.createElement('div');
    l.setAttribute('role', 'presentation');
    l.className = 'group-label';
    l.id = id;
    l.textContent = label;
    g.appendChild(l);
    list.appendChild(g);
    return g;
  }

  function addOption(parent, kind, text, value) {
    var el = document.createElement('div');
    el.setAttribute('role', 'option');
    el.setAttribute('aria-selected', 'false');
    el.id = 'q-option-' + options.length;
    el.className = 'option option-' + kind;
    el.textContent = text;
    var index = options.length;
    /* mousedown, not click: the box keeps the focus. */
    el.addEventListener('mousedown', function (e) {
      e.preventDefault();
      choose(index);
    });
    parent.appendChild(el);
    options.push({ el: el, kind: kind, value: value });
  }

  function render(data, forText) {
    close();
    var completions = (data && data.completions) || [];
    var titles = (data && data.titles) || [];
    if (completions.length) {
      var g1 = group(form.getAttribute('data-words'), 'q-group-words');
      completions.forEach(function (c) { addOption(g1, 'query', c, c); });
    }
    if (titles.length) {
      var g2 = group(form.getAttribute('data-titles'), 'q-group-titles');
      titles.forEach(function (t) {
        if (/^https?:\/\//i.test(t.url)) { addOption(g2, 'title', t.title, t.url); }
      });
    }
    shownFor = forText;
    if (options.length) {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }
    say(countText(options.length));
  }

  function choose(i) {
    var o = options[i];
    if (!o) { return; }
    if (o.kind === 'title') {
      close();
      window.location.href = o.value;
      return;
    }
    input.value = o.value;
    close();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function fetchSuggestions() {
    var text = input.value;
    if (text.trim().length < MIN_CHARS) {
      close();
      say('');
      return;
    }
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    var url = endpoint + (endpoint.indexOf('?') < 0 ? '?' : '&') + 'q=' + encodeURIComponent(text);
    window.fetch(url, { signal: pending ? pending.signal : undefined,
                        headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        /* Only the answer for what the box holds now. */
        if (data && input.value === text && document.activeElement === input) {
          render(data, text);
        }
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DELAY_MS);
  });

  input.addEventListener('keydown', function (e) {
    var open = !list.hidden && options.length > 0;
    switch (e.key) {
    case 'ArrowDown':
    case 'Down':
      if (!open) {
        if (shownFor === null && input.value.trim().length >= MIN_CHARS) { fetchSuggestions(); }
        return;
      }
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
    /* Later than a click on an option (which keeps the focus anyway). */
    setTimeout(function () {
      if (document.activeElement !== input) { close(); }
    }, 150);
  });

  form.addEventListener('submit', function () {
    clearTimeout(timer);
    if (pending) { pending.abort(); }
    close();
  });
}());
