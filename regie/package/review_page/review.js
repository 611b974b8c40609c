// Review page of one release: the player (hls.js or dash.js, vendored), the shot timeline,
// the cues following playback, topics and keywords per part, the transcript with word search,
// loudness and SSIM. Every click on a time seeks the player there. Data: data.json beside it.
"use strict";

const $ = (id) => document.getElementById(id);
const video = $("video");
const review = { engine: null, player: null, data: null, ready: false, errors: [] };
window.review = review;

const clock = (s) => {
  const m = Math.floor(s / 60), r = Math.floor(s % 60);
  return `${m}:${String(r).padStart(2, "0")}`;
};
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
const seek = (t) => { video.currentTime = t; };

async function main() {
  const data = await (await fetch("data.json")).json();
  review.data = data;
  $("title").textContent = data.title;
  document.title = `Review · ${data.title}`;
  $("facts").textContent = [clock(data.duration_s), data.language && `spoken: ${data.language}`,
    `release ${data.release}`, data.asset_id].filter(Boolean).join(" · ");
  video.poster = data.poster;
  drawShots(data);
  drawQuality(data.quality, data.notes);
  drawCueTracks(data.subtitles);
  drawTopics(data.tags);
  drawTranscript(data.transcript);
  wireTabs();
  const engine = new URLSearchParams(location.search).get("player") === "dash" ? "dash" : "hls";
  $("engine").value = engine;
  $("engine").onchange = () => { location.search = `?player=${$("engine").value}`; };
  (engine === "dash" ? startDash : startHls)(data);
  video.addEventListener("timeupdate", follow);
}

function startHls(data) {
  const hls = new Hls({ subtitleDisplay: false });
  review.engine = "hls.js";
  review.player = hls;
  hls.on(Hls.Events.ERROR, (_, e) => { if (e.fatal) fail(`hls.js: ${e.details}`); });
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    fillQuality(hls.levels.map((l) => `${l.height}p`), (i) => { hls.currentLevel = i; });
  });
  hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, () => {
    fillSubtitles(hls.subtitleTracks.map((t) => ({ label: t.name, lang: t.lang })), (i) => {
      hls.subtitleTrack = i;
      hls.subtitleDisplay = i >= 0;
    });
    ready();
  });
  hls.loadSource(data.hls);
  hls.attachMedia(video);
}

function startDash(data) {
  const player = dashjs.MediaPlayer().create();
  review.engine = "dash.js";
  review.player = player;
  player.updateSettings({ streaming: { text: { defaultEnabled: false } } });
  player.on(dashjs.MediaPlayer.events.ERROR, (e) => fail(`dash.js: ${e.error?.message || e.error}`));
  player.on(dashjs.MediaPlayer.events.STREAM_INITIALIZED, () => {
    const reps = player.getRepresentationsByType("video");
    fillQuality(reps.map((r) => `${r.height}p`), (i) => {
      player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: i < 0 } } } });
      if (i >= 0) player.setRepresentationForTypeByIndex("video", i, true);
    });
    const texts = player.getTracksFor("text");
    const choose = (i) => { player.enableText(i >= 0); if (i >= 0) player.setTextTrack(i); };
    fillSubtitles(texts.map((t) => ({ label: t.labels?.[0]?.text || t.lang, lang: t.lang })), choose);
    reloadTextSeekedOver(player, () => choose(Number($("subtitles").value)));
    ready();
  });
  player.initialize(video, data.dash, false);
}

// dash.js 5.2 drops a sidecar WebVTT that arrives after a seek (the seek marks the text buffer
// complete, so the loaded file is never parsed: the track shows no cue; dash.js issue #5135).
// Once such a file has arrived, choose its track again: dash.js loads it anew.
function reloadTextSeekedOver(player, chooseAgain) {
  const events = dashjs.MediaPlayer.events;
  let loading = false;
  let seekedOver = false;
  player.on(events.FRAGMENT_LOADING_STARTED, (e) => { if (e.mediaType === "text") loading = true; });
  player.on(events.PLAYBACK_SEEKING, () => { seekedOver ||= loading; });
  player.on(events.FRAGMENT_LOADING_COMPLETED, (e) => {
    if (e.mediaType !== "text") return;
    loading = false;
    if (!seekedOver) return;
    seekedOver = false;
    player.setTextTrack(-1);
    chooseAgain();
  });
}

function ready() {
  review.ready = true;
  $("status").textContent = `${review.engine} ready`;
}

function fail(message) {
  review.errors.push(message);
  $("status").textContent = message;
}

function fillQuality(names, choose) {
  const select = $("quality");
  names.forEach((name, i) => select.append(el("option", { value: i, textContent: name })));
  select.onchange = () => choose(Number(select.value));
}

function fillSubtitles(tracks, choose) {
  const select = $("subtitles");
  select.replaceChildren(el("option", { value: -1, textContent: "off" }));
  tracks.forEach((t, i) => select.append(el("option", { value: i, textContent: t.label })));
  review.subtitleTracks = tracks;
  review.chooseSubtitles = (i) => { select.value = i; choose(i); };
  select.onchange = () => choose(Number(select.value));
}

function drawShots(data) {
  const strip = $("timeline");
  $("shot-count").textContent = `${data.shots.length} shots · click one to go there`;
  for (const shot of data.shots) {
    const button = el("button", { className: "shot", title: `shot ${shot.index + 1} · ${clock(shot.start)}` },
      el("span", { textContent: clock(shot.start) }));
    button.dataset.start = shot.start;
    button.style.left = `${(100 * shot.start) / data.duration_s}%`;
    button.style.width = `${(100 * (shot.end - shot.start)) / data.duration_s}%`;
    if (shot.picture) button.style.backgroundImage = `url("${shot.picture}")`;
    button.onclick = () => seek(shot.start);
    strip.append(button);
  }
}

function drawQuality(quality, notes) {
  const row = (...cells) => el("tr", {}, ...cells.map((c) => el("td", { textContent: c ?? "–" })));
  const loud = (m) => (m ? [`${m.integrated_lufs} LUFS`, `${m.true_peak_dbtp} dBTP`, `${m.range_lu} LU`] : ["–"]);
  $("loudness").append(el("tr", {}, ...["", "integrated", "true peak", "range"].map((h) => el("th", { textContent: h }))),
    row("in", ...loud(quality.loudness_in)), row("out", ...loud(quality.loudness_out)));
  $("renditions").append(el("tr", {}, ...["rung", "size", "kb/s", "SSIM"].map((h) => el("th", { textContent: h }))),
    ...quality.renditions.map((r) => row(r.name, r.size, r.kbps, r.ssim?.toFixed(4))));
  const list = notes.length ? notes : ["nothing: every stage ran"];
  $("notes").append(...list.map((n) => el("li", { textContent: n })));
}

function drawCueTracks(tracks) {
  const select = $("cue-track");
  tracks.forEach((t, i) => select.append(el("option", { value: i, textContent: t.label })));
  const show = () => {
    const track = tracks[Number(select.value)] || { cues: [] };
    $("cues").replaceChildren(...track.cues.map((cue) => {
      const item = el("li", {}, el("time", { textContent: clock(cue.start) }),
        el("span", { textContent: cue.text.replace(/\n/g, " ") }));
      item.dataset.start = cue.start;
      item.dataset.end = cue.end;
      item.onclick = () => seek(cue.start);
      return item;
    }));
  };
  select.onchange = show;
  show();
}

function drawTopics(tags) {
  const box = $("topics");
  if (!tags.segments.length) { box.append(el("p", { className: "muted", textContent: "No tags." })); return; }
  box.append(drawProgramme(tags));
  for (const part of tags.segments) {
    const chips = part.topics.map(topicChip);
    const names = part.entities.map((name) => el("span", { className: "chip ent", textContent: name }));
    const words = part.keywords.map((k) => el("span", { className: "chip kw", textContent: k }));
    const item = el("div", { className: "topic-part" },
      el("time", { textContent: `${clock(part.start)}–${clock(part.end)}` }), el("div", {}, ...chips, ...names, ...words));
    item.onclick = () => seek(part.start);
    box.append(item);
  }
}

// The programme's topics and who or what it names (a click goes to the first mention).
function drawProgramme(tags) {
  const names = (tags.entities || []).map((e) => {
    const chip = el("span", { className: "chip ent", title: `${e.kind} · ${e.count} mention(s)`,
      textContent: e.count > 1 ? `${e.text} ×${e.count}` : e.text });
    chip.onclick = () => seek(e.ranges[0][0]);
    return chip;
  });
  return el("div", { className: "topic-part programme" },
    el("time", { textContent: "programme" }), el("div", {}, ...tags.topics.map(topicChip), ...names));
}

function topicChip(t) {
  return el("span", { className: "chip", title: `${t.qcode} · ${t.score}`, textContent: `${t.fr} / ${t.en}` });
}

function drawTranscript(segments) {
  const list = $("segments");
  const render = (query) => {
    const q = query.trim().toLowerCase();
    let hits = 0;
    list.replaceChildren(...segments.filter((s) => !q || s.text.toLowerCase().includes(q)).map((s) => {
      const text = el("span");
      if (q) {
        const parts = s.text.split(new RegExp(`(${q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})`, "i"));
        parts.forEach((p, i) => text.append(i % 2 ? el("mark", { textContent: p }) : p));
        hits += parts.length >> 1;
      } else text.textContent = s.text;
      const item = el("li", {}, el("time", { textContent: clock(s.start) }), text);
      item.onclick = () => seek(s.start);
      return item;
    }));
    $("search-count").textContent = q ? `${hits} match${hits === 1 ? "" : "es"}` : `${segments.length} segments`;
  };
  $("search").oninput = (e) => render(e.target.value);
  render("");
}

function wireTabs() {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.onclick = () => {
      document.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("active", b === button));
      document.querySelectorAll(".tab").forEach((t) => { t.hidden = t.id !== button.dataset.tab; });
    };
  }
}

function follow() {
  const t = video.currentTime, duration = review.data.duration_s;
  $("playhead").style.left = `${(100 * t) / duration}%`;
  for (const shot of document.querySelectorAll(".shot")) {
    const next = shot.nextElementSibling;
    shot.classList.toggle("current", t >= shot.dataset.start && (!next || t < next.dataset.start));
  }
  for (const item of $("cues").children) {
    const now = t >= item.dataset.start && t < item.dataset.end;
    if (now && !item.classList.contains("now")) item.scrollIntoView({ block: "nearest" });
    item.classList.toggle("now", now);
  }
}

main().catch((error) => fail(`review: ${error}`));
