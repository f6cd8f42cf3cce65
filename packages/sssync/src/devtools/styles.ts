/** The panel's stylesheet, inside its shadow root: nothing leaks out, nothing of the app's leaks in. */
export const STYLES = `
:host { all: initial; display: block; }
:host([data-floating]) {
  position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483000; pointer-events: none;
}
:host([data-contained]) { width: 100%; height: 100%; }
* { box-sizing: border-box; }
.panel {
  pointer-events: auto; display: flex; flex-direction: column; height: 100%;
  background: #1b1c1f; color: #d7dae0; border-top: 1px solid #3a3d44;
  font: 11px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace;
  box-shadow: 0 -6px 24px rgba(0, 0, 0, 0.35); position: relative;
}
.panel[hidden], .launcher[hidden] { display: none; }
.resize { position: absolute; left: 0; right: 0; top: -3px; height: 6px; cursor: ns-resize; z-index: 2; }
.resize:hover { background: #4c8dff55; }
header {
  display: flex; align-items: center; gap: 8px; padding: 0 8px; height: 32px; flex: none;
  background: #24262b; border-bottom: 1px solid #3a3d44;
}
.brand { font-weight: 700; color: #8ab4ff; letter-spacing: 0.02em; margin-right: 4px; }
.brand small { color: #7d828c; font-weight: 400; margin-left: 6px; }
nav { display: flex; height: 100%; }
nav button {
  all: unset; cursor: pointer; padding: 0 10px; height: 100%; color: #9aa0aa;
  border-bottom: 2px solid transparent; display: flex; align-items: center; gap: 5px;
}
nav button:hover { color: #e3e6eb; background: #2c2f35; }
nav button[aria-selected='true'] { color: #e3e6eb; border-bottom-color: #8ab4ff; }
nav .count {
  background: #3a3d44; color: #c9ccd2; border-radius: 8px; padding: 0 5px; font-size: 10px; min-width: 16px;
  text-align: center;
}
nav .count.warn { background: #5c4310; color: #ffd479; }
nav .count.bad { background: #5c1f1f; color: #ff9b9b; }
.spacer { flex: 1; }
.toolbar-btn, .btn {
  all: unset; cursor: pointer; padding: 2px 8px; border: 1px solid #3f434b; border-radius: 3px;
  color: #d7dae0; background: #2c2f35; white-space: nowrap;
}
.toolbar-btn:hover, .btn:hover { background: #363a41; }
.btn:disabled { opacity: 0.45; cursor: default; }
.close { all: unset; cursor: pointer; width: 22px; text-align: center; font-size: 15px; color: #9aa0aa; }
.close:hover { color: #fff; }
.switch { display: flex; align-items: center; gap: 5px; cursor: pointer; color: #c9ccd2; }
.switch input { accent-color: #e8a33d; margin: 0; }
.switch.disabled { opacity: 0.5; cursor: not-allowed; }
.body { flex: 1; min-height: 0; display: flex; overflow: hidden; }
.pane { flex: 1; min-width: 0; display: flex; flex-direction: column; }
.toolbar {
  display: flex; align-items: center; gap: 8px; padding: 4px 8px; flex: none; flex-wrap: wrap;
  border-bottom: 1px solid #33363c; background: #202226; color: #9aa0aa;
}
.scroll { flex: 1; overflow: auto; min-height: 0; }
.note { padding: 6px 8px; color: #9aa0aa; }
.empty { padding: 16px 8px; color: #7d828c; text-align: center; }
.error-text { color: #ff8a80; }
table { border-collapse: collapse; width: 100%; }
th, td {
  text-align: left; padding: 2px 8px; border-bottom: 1px solid #2c2f35; white-space: nowrap;
  max-width: 420px; overflow: hidden; text-overflow: ellipsis; vertical-align: top;
}
th {
  position: sticky; top: 0; background: #26282d; color: #9aa0aa; font-weight: 600; z-index: 1;
  border-bottom: 1px solid #3a3d44; user-select: none;
}
th.sortable { cursor: pointer; }
th.sortable:hover { color: #e3e6eb; }
tbody tr:nth-child(even) { background: #1f2024; }
tbody tr:hover { background: #2a2d33; }
tr.rejected td { background: #3a1d1d55; }
td.num, th.num { text-align: right; }
td .num, .v-num { color: #9ecbff; }
.v-str { color: #c3e88d; }
.v-bool { color: #f78c6c; }
.v-null { color: #7d828c; font-style: italic; }
.v-obj { color: #d7bfff; }
.wrap { white-space: normal; word-break: break-word; }
.badge {
  display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 10px; line-height: 16px;
  font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; background: #3a3d44; color: #d7dae0;
}
.badge.ok { background: #1d3b27; color: #7ee2a0; }
.badge.warn { background: #4a3711; color: #ffd479; }
.badge.info { background: #173559; color: #8ab4ff; }
.badge.bad { background: #4d1c1c; color: #ff9b9b; }
.badge.muted { background: #2f3238; color: #9aa0aa; }
.badge.purple { background: #35244f; color: #cfa8ff; }
.badge.teal { background: #16393b; color: #7fdbd4; }
.sidebar { width: 200px; flex: none; border-right: 1px solid #33363c; overflow: auto; }
.sidebar button {
  all: unset; box-sizing: border-box; display: flex; width: 100%; padding: 3px 8px; cursor: pointer;
  justify-content: space-between; gap: 8px; color: #c9ccd2;
}
.sidebar button:hover { background: #2a2d33; }
.sidebar button[aria-selected='true'] { background: #173559; color: #fff; }
.sidebar .count { color: #8ab4ff; }
select, input[type='text'] {
  font: inherit; color: #e3e6eb; background: #15161a; border: 1px solid #3f434b; border-radius: 3px;
  padding: 1px 4px; height: 20px;
}
input[type='text'] { width: 160px; }
input:disabled { opacity: 0.5; }
.pager { margin-left: auto; display: flex; align-items: center; gap: 6px; }
.schema-table { margin: 0 0 12px; }
.schema-table h3 { margin: 0; padding: 6px 8px; font-size: 12px; color: #8ab4ff; background: #202226; }
.kv { display: flex; gap: 16px; padding: 6px 8px; color: #9aa0aa; flex-wrap: wrap; }
.kv b { color: #e3e6eb; font-weight: 600; }
.launcher {
  all: unset; pointer-events: auto; position: fixed; right: 12px; bottom: 12px; cursor: pointer;
  font: 600 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #8ab4ff;
  background: #1b1c1f; border: 1px solid #3a3d44; border-radius: 14px; padding: 5px 11px;
  box-shadow: 0 2px 10px rgba(0, 0, 0, 0.4);
}
`;
