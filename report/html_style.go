package report

// htmlStyle is report.html's inline stylesheet (no external assets).
const htmlStyle = `<style>
:root { --fail:#b3261e; --warn:#8a5a00; --pass:#1b6e2c; --info:#35557a; --line:#d0d4da; --muted:#5b6470; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2127; background: #f6f7f9; }
main { max-width: 1400px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.35rem; margin: .3rem 0 .8rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
table { border-collapse: collapse; width: 100%; table-layout: auto; background: #fff; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
th { background: #eef0f3; font-weight: 600; }
.kv th { width: 13rem; }
tr.best td { font-weight: 600; background: #eef7ef; }
.verdict { border-left: 6px solid var(--fail); background: #fff; padding: .8rem 1rem; margin: .5rem 0 1rem; }
.verdict.ok { border-color: var(--pass); }
.verdict .code { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 700; }
.verdict p { margin: .3rem 0; }
.isp { background: #fff; border: 1px solid var(--line); padding: .8rem 1rem; }
.clock-suspect { color: var(--fail); font-weight: 600; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.25rem; align-items: start; }
@media (max-width: 1000px) { .layout { grid-template-columns: minmax(0, 1fr); } }
.diagram { background: #fff; border: 1px solid var(--line); padding: .5rem; }
.diagram svg { display: block; width: 100%; height: auto; }
.findings { list-style: none; padding: 0; margin: 0; }
.findings li { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--info); padding: .5rem .7rem; margin-bottom: .5rem; overflow-wrap: anywhere; }
.findings li.fail { border-left-color: var(--fail); }
.findings li.warn { border-left-color: var(--warn); }
.findings li.pass { border-left-color: var(--pass); }
.sev { font-weight: 700; text-transform: uppercase; font-size: .8em; margin-right: .4rem; }
.fail .sev { color: var(--fail); } .warn .sev { color: var(--warn); } .pass .sev { color: var(--pass); } .info .sev { color: var(--info); }
.meta { color: var(--muted); font-size: .85em; }
.note { color: var(--muted); }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .head { font-size: 14px; font-weight: 600; }
svg .headsub { font-size: 11px; fill: #5b6470; font-family: ui-monospace, Menlo, Consolas, monospace; }
svg .lifeline { stroke: #9aa3ad; stroke-width: 1.5; stroke-dasharray: 2 4; }
svg .lbl { font-size: 13px; font-weight: 600; }
svg .meta { font-size: 11px; fill: #5b6470; }
svg .gut { font-size: 11px; fill: #5b6470; font-family: ui-monospace, Menlo, Consolas, monospace; }
svg .arrow line { stroke-width: 2; }
svg .out line { stroke: #1f5fa8; } svg .out .lbl { fill: #1f5fa8; }
svg .in line { stroke: #1b6e2c; } svg .in .lbl { fill: #1b6e2c; }
svg .unanswered line { stroke: var(--fail); stroke-dasharray: 7 5; } svg .unanswered .lbl, svg .unanswered .extra { fill: var(--fail); }
svg .ignored line { stroke: #8a8f96; stroke-dasharray: 4 4; } svg .ignored .lbl, svg .ignored .extra { fill: #6b7079; }
svg .extra { font-size: 11px; font-weight: 600; }
svg .cross { stroke: var(--fail); stroke-width: 2.5; }
</style>
`
