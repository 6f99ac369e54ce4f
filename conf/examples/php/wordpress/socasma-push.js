/* socasma-push.js: the settings page's "Send every post to the daemon"
 * button. Asks admin-ajax.php for one batch after another
 * (action=socasma_push_all, socasma-wp-push.php), each starting where the
 * last ended, and shows the progress; stops at the first error, and the
 * button then resumes from there. The button carries its data:
 * data-ajax (admin-ajax.php's URL), data-nonce, data-total. */
(function () {
    'use strict';
    var button = document.getElementById('socasma-push-all');
    if (!button) {
        return;
    }
    var bar = document.getElementById('socasma-push-progress');
    var text = document.getElementById('socasma-push-status');
    var i18n = {
        progress: button.getAttribute('data-progress') || '%1$s of %2$s posts sent',
        done: button.getAttribute('data-done') || 'Done: %1$s posts sent (%2$s added, %3$s updated, %4$s unchanged).',
        failed: button.getAttribute('data-failed') || 'Stopped: %s. Press the button again to resume.',
        refused: button.getAttribute('data-refused') || 'The daemon refused %s:'
    };
    var after = 0;
    var sent = 0;
    var sums = { added: 0, updated: 0, unchanged: 0 };
    var refused = [];
    var finished = false;

    function fmt(s, args) {
        return s.replace(/%(\d)\$s|%s/g, function (m, n) {
            return String(args[n ? Number(n) - 1 : 0]);
        });
    }

    function show(message) {
        text.textContent = message;
    }

    function showRefused() {
        var list = document.getElementById('socasma-push-refused');
        if (!list || !refused.length) {
            return;
        }
        list.textContent = '';
        var head = document.createElement('p');
        head.textContent = fmt(i18n.refused, [refused.length]);
        list.appendChild(head);
        var ul = document.createElement('ul');
        refused.forEach(function (r) {
            var li = document.createElement('li');
            li.textContent = r.id + ': ' + r.message;
            ul.appendChild(li);
        });
        list.appendChild(ul);
    }

    function step() {
        var body = new URLSearchParams();
        body.set('action', 'socasma_push_all');
        body.set('_ajax_nonce', button.getAttribute('data-nonce'));
        body.set('after', String(after));
        fetch(button.getAttribute('data-ajax'), {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: body.toString()
        }).then(function (response) {
            return response.json().catch(function () {
                throw new Error('HTTP ' + response.status);
            });
        }).then(function (answer) {
            var d = answer && answer.data ? answer.data : {};
            ['added', 'updated', 'unchanged'].forEach(function (k) {
                sums[k] += Number(d[k] || 0);
            });
            refused = refused.concat(d.refused || []);
            showRefused();
            if (!answer || !answer.success) {
                throw new Error(d.message || 'no answer');
            }
            sent += Number(d.sent || 0);
            after = Number(d.after || after);
            var total = Math.max(Number(d.total || 0), sent);
            bar.max = Math.max(total, 1);
            bar.value = sent;
            if (d.finished) {
                finished = true;
                show(fmt(i18n.done, [sent, sums.added, sums.updated, sums.unchanged]));
                button.disabled = false;
                return;
            }
            show(fmt(i18n.progress, [sent, total]));
            step();
        }).catch(function (e) {
            show(fmt(i18n.failed, [e.message]));
            button.disabled = false;
        });
    }

    button.addEventListener('click', function () {
        button.disabled = true;
        bar.hidden = false;
        bar.max = Math.max(Number(button.getAttribute('data-total') || 0), 1);
        if (finished) {
            finished = false;
            after = 0;
            sent = 0;
            sums = { added: 0, updated: 0, unchanged: 0 };
            refused = [];
        }
        show(fmt(i18n.progress, [sent, button.getAttribute('data-total') || '?']));
        step();
    });
}());
