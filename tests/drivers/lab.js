// JupyterLab's own objects (window.jupyterapp), read and driven through window.__lab: the page
// script of tests/drivers/lab.py (PAGE_SCRIPT), added to every page before JupyterLab loads.
window.__lab = {
  notebook(path) {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      if (widget.context?.path === path && widget.content?.widgets) return widget;
    }
    return null;
  },
  opening: {},  // path: 'pending', 'ready' or what went wrong
  open(path) {
    __lab.opening[path] = 'pending';
    (async () => {
      await __lab.closing[path];  // a close of the same notebook still under way
      await window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'});
      const widget = __lab.notebook(path);
      await widget.context.ready;
      await widget.sessionContext.ready;
      __lab.opening[path] = 'ready';
    })().catch(error => { __lab.opening[path] = String(error?.stack || error); });
  },
  // The kernel itself, not the toolbar's indicator (which says idle while the kernel starts).
  kernel(path) {
    const kernel = __lab.notebook(path)?.sessionContext.session?.kernel;
    return kernel ? {connection: kernel.connectionStatus, status: kernel.status} : null;
  },
  isIdle(kernel) { return !!kernel && kernel.connection === 'connected' && kernel.status === 'idle'; },
  since: {},  // path: when the kernel was first seen settled, or where a run stands
  // Opened, its kernel connected and idle for `ms` without a break.
  openState(path, ms) {
    const opening = __lab.opening[path];
    if (opening !== 'ready') return opening === 'pending' ? null : {error: opening};
    const now = performance.now();
    if (!__lab.isIdle(__lab.kernel(path))) { delete __lab.since[path]; return null; }
    __lab.since[path] ??= now;
    return now - __lab.since[path] >= ms ? {ready: true} : null;
  },
  codeCells(path) { return __lab.notebook(path).content.widgets.filter(c => c.model.type === 'code'); },
  prompt(cell) { return cell.node.querySelector('.jp-InputPrompt')?.textContent.trim() ?? ''; },
  // "Kernel > Restart Kernel and Run All Cells", after clearing the outputs (so that only this
  // run's show). Not awaited: the command waits for its dialog, which the test accepts.
  startRun(path) {
    const widget = __lab.notebook(path);
    const target = {semanticWidget: widget.id};
    window.jupyterapp.shell.activateById(widget.id);
    delete __lab.since[path];
    window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs', target);
    window.jupyterapp.commands.execute('notebook:restart-run-all', target);
  },
  // Finished (every code cell ran, or the run stopped at an error), stalled (no cell finishing for
  // stallMs, or the kernel idle while cells wait at [*] for idleStallMs), or null: still running.
  runState(path, stallMs, idleStallMs) {
    const code = __lab.codeCells(path);
    const queued = code.filter(cell => __lab.prompt(cell).includes('*')).length;
    const finished = code.filter(cell => cell.model.executionCount !== null
                                         && !__lab.prompt(cell).includes('*')).length;
    const error = code.some(cell => cell.model.outputs.toJSON().some(o => o.output_type === 'error'));
    const kernel = __lab.kernel(path);
    const idle = __lab.isIdle(kernel);
    const now = performance.now();
    const last = __lab.since[path] ??= {finished: -1, changed: now, idleSince: null};
    if (finished !== last.finished) Object.assign(last, {finished, changed: now});
    last.idleSince = idle && queued ? (last.idleSince ?? now) : null;
    let outcome = null;
    if (idle && !queued && (finished === code.length || error)) outcome = error ? 'error' : 'done';
    else if (now - last.changed > stallMs) outcome = 'stalled';
    else if (last.idleSince !== null && now - last.idleSince > idleStallMs) outcome = 'stalled';
    return outcome && {outcome, finished, queued, total: code.length, kernel};
  },
  // Every output image done loading, every markdown cell rendered, and MathJax loaded (its first
  // formula typeset) if any rendered text still looks like TeX.
  renderState(path) {
    const widget = __lab.notebook(path);
    const markdown = widget.content.widgets.filter(cell => cell.model.type === 'markdown');
    const rendered = markdown.map(cell => cell.rendered && cell.node.querySelector('.jp-RenderedMarkdown'));
    const images = [...widget.node.querySelectorAll('.jp-OutputArea-output img')];
    const texLeft = rendered.some(node => node && __lab.rawTex(__lab.prose(node)));
    return images.every(img => img.complete) && rendered.every(Boolean)
           && (!texLeft || document.querySelector('mjx-container') !== null);
  },
  // What a reader sees of rendered markdown outside code and outside typeset formulas.
  prose(node) {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT, {acceptNode: text =>
      text.parentElement.closest('code, pre, mjx-container') ? NodeFilter.FILTER_REJECT
                                                              : NodeFilter.FILTER_ACCEPT});
    const parts = [];
    while (walker.nextNode()) parts.push(walker.currentNode.data);
    return parts.join('');
  },
  rawTex(text) { return /\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/.test(text); },
  status(item) {
    if (item.phase === 'opening') return __lab.openState(item.path, item.settleMs);
    if (item.phase === 'running') return __lab.runState(item.path, item.stallMs, item.idleStallMs);
    if (item.phase === 'rendering') return __lab.renderState(item.path);
  },
  // Everything the checks need about every cell, as the page shows it.
  report(path) {
    return __lab.notebook(path).content.widgets.map(cell => {
      const about = {type: cell.model.type, firstLine: cell.model.sharedModel.getSource().split('\n')[0]};
      if (cell.model.type === 'code') {
        const images = [...cell.node.querySelectorAll('.jp-OutputArea-output img')];
        return {...about, executionCount: cell.model.executionCount, prompt: __lab.prompt(cell),
                // what each output is, without its (large) data
                outputs: cell.model.outputs.toJSON().map(o => ({
                  output_type: o.output_type, name: o.name, text: o.name === 'stderr' ? o.text : undefined,
                  ename: o.ename, evalue: o.evalue,
                  data: Object.fromEntries(Object.keys(o.data ?? {}).map(key => [key, true]))})),
                errorText: [...cell.node.querySelectorAll(
                  '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                  .map(node => node.innerText).join('\n'),
                images: images.length,
                loadedImages: images.filter(img => img.complete && img.naturalWidth > 0).length};
      }
      if (cell.model.type === 'markdown') {
        const node = cell.node.querySelector('.jp-RenderedMarkdown');
        return {...about, rendered: !!(cell.rendered && node),
                formulas: node ? node.querySelectorAll('mjx-container').length : 0,
                mathErrors: node ? [...node.querySelectorAll('mjx-merror, [data-mjx-error]')]
                  .map(e => e.getAttribute('data-mjx-error') || e.textContent) : [],
                prose: node ? __lab.prose(node) : ''};
      }
      return about;
    });
  },
  activate(path) { window.jupyterapp.shell.activateById(__lab.notebook(path).id); },
  // Whether the notebook is marked unsaved: its model, and the dot on its tab a learner sees.
  unsaved(path) {
    const widget = __lab.notebook(path);
    const tab = [...document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab')]
      .find(node => node.dataset.id === widget.id);
    return {model: widget.context.model.dirty, tab: tab ? tab.classList.contains('jp-mod-dirty') : null,
            metadata: widget.context.model.sharedModel.getMetadata()};
  },
  // The pop-up notifications (toasts) on the page, as text.
  toasts() { return [...document.querySelectorAll('.Toastify__toast')].map(node => node.innerText.trim()); },
  // Shut the kernel down and close the tab without saving: a run's outputs stay out of the file.
  closing: {},
  close(path) {
    const widget = __lab.notebook(path);
    delete __lab.since[path];
    delete __lab.opening[path];
    if (!widget) return;
    return __lab.closing[path] = (async () => {
      const kernel = widget.sessionContext.session?.kernel;
      // A busy kernel would delay its shutdown by the server's grace period: interrupt it first.
      if (kernel?.status === 'busy') await kernel.interrupt().catch(() => {});
      await widget.sessionContext.shutdown();
      widget.context.model.dirty = false;
      widget.close();
    })();
  },
};
