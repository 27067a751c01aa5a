/// The status page's style sheet (`/ui/app.css`). States carry an icon and a word as well
/// as a colour; the colours pass WCAG AA on white.
enum StatusPageStyle {
    static let text = #"""
[hidden] { display: none !important; }
:root {
  --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --ok: #1a7f37; --busy: #0757ba; --bad: #c21c2c; --warn: #9a6700; --idle: #59636e;
  --sea: #eef4fb; --land: #dfe5eb; --coast: #b8c2cc; --focus: #0757ba;
  color-scheme: light;
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--busy); }
a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible, pre:focus-visible, main:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
main:focus { outline: none; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5em 1em; z-index: 2; }
.skip:focus { left: .5em; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5em 1em; padding: .6em 1.2em; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 1.15em; color: var(--fg); text-decoration: none; }
.brand span { font-weight: 400; color: var(--muted); }
.badge { font-size: .8em; border: 1px solid var(--line); border-radius: 1em; padding: .05em .7em; color: var(--muted); background: var(--bg); }
nav#crumbs { flex: 1; }
nav#crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: .3em; margin: 0; padding: 0; }
nav#crumbs li + li::before { content: "›"; margin-right: .3em; color: var(--muted); }
nav#crumbs a[aria-current] { color: var(--fg); font-weight: 600; text-decoration: none; }
.session { display: flex; align-items: center; gap: .6em; color: var(--muted); font-size: .9em; }
button { font: inherit; padding: .35em .9em; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); cursor: pointer; }
button[type=submit] { background: var(--busy); color: #fff; border-color: var(--busy); }
button:disabled { opacity: .6; cursor: progress; }
main { max-width: 1200px; margin: 0 auto; padding: 1em 1.2em 3em; }
h1 { font-size: 1.5em; margin: .4em 0 .6em; }
h2 { font-size: 1.15em; margin: 1.6em 0 .5em; }
#login { max-width: 34em; }
#login label { display: block; font-weight: 600; margin-bottom: .2em; }
#login input { width: 100%; font: inherit; padding: .45em .6em; border: 1px solid var(--muted); border-radius: 6px; }
.help { color: var(--muted); font-size: .9em; margin-top: .2em; }
.alert { border: 1px solid var(--bad); border-left-width: 6px; background: #fff5f5; color: var(--bad); padding: .6em .9em; border-radius: 6px; font-weight: 600; }
.note { border-left: 6px solid var(--line); padding: .4em .9em; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .3em 0 1em; font-size: .94em; }
caption { text-align: left; color: var(--muted); font-size: .9em; padding-bottom: .3em; }
th, td { text-align: left; padding: .4em .6em; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
td.none, span.none { color: var(--muted); }
td.error { color: var(--bad); font-weight: 600; overflow-wrap: anywhere; }
th .sub { display: block; }
.sub { color: var(--muted); font-size: .85em; font-weight: 400; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.2em; margin: 0 0 1em; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.state { display: inline-flex; align-items: center; gap: .1em; font-weight: 600; white-space: nowrap; }
.state .icon { display: inline-block; width: 1.2em; text-align: center; }
.tone-ok { color: var(--ok); } .tone-busy { color: var(--busy); } .tone-bad { color: var(--bad); }
.tone-warn { color: var(--warn); } .tone-idle { color: var(--idle); }
progress { width: 6em; height: .8em; vertical-align: middle; }
figure { margin: 0 0 1em; }
svg.world { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
svg.world .sea { fill: var(--sea); }
svg.world .land { fill: var(--land); stroke: var(--coast); }
svg.world .other { fill: #98a3ae; }
svg.world .marker { stroke: #fff; }
svg.world .marker.tone-ok { fill: var(--ok); }
svg.world .marker.tone-bad { fill: var(--bad); }
svg.world .marker.tone-busy .ring, svg.world .marker.tone-idle .ring { fill: #fff; }
svg.world .marker.tone-busy .ring { stroke: var(--busy); }
svg.world .marker.tone-idle .ring { stroke: var(--idle); }
svg.world .label { font-weight: 600; stroke: #fff; paint-order: stroke; }
svg.world .marker.tone-ok .label { fill: var(--ok); } svg.world .marker.tone-bad .label { fill: var(--bad); }
svg.world .marker.tone-busy .label { fill: var(--busy); } svg.world .marker.tone-idle .label { fill: var(--idle); }
@media (prefers-reduced-motion: no-preference) {
  svg.world .marker.tone-busy .ring { animation: pulse 1.2s ease-in-out infinite alternate; }
  @keyframes pulse { from { stroke-opacity: 1; } to { stroke-opacity: .35; } }
}
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .3em 1.4em; padding: 0; margin: .5em 0 0; font-size: .9em; }
.dot-other { color: #98a3ae; font-size: 1.4em; line-height: 1; }
details { margin: 1em 0; }
summary { cursor: pointer; font-weight: 600; }
.phases { list-style: none; display: flex; flex-wrap: wrap; gap: .4em; padding: 0; }
.phase { border: 1px solid var(--line); border-radius: 6px; padding: .3em .7em; background: var(--panel); }
.phase-done { color: var(--ok); } .phase-now { color: var(--busy); border-color: var(--busy); font-weight: 700; }
.phase-failed-here { color: var(--bad); border-color: var(--bad); font-weight: 700; }
.phase-canceled-here, .phase-not-reached, .phase-to-come { color: var(--muted); }
pre.log { background: #0d1117; color: #e6edf3; padding: .8em 1em; border-radius: 6px; overflow: auto; max-height: 28em; font-size: .85em; }
footer.bottom { max-width: 1200px; margin: 0 auto; padding: 0 1.2em 1.5em; font-size: .85em; color: var(--muted); }
@media (max-width: 700px) { .facts { grid-template-columns: 1fr; } th, td { padding: .3em; } }
"""#
}
