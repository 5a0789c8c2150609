// Killmail Console overlay: a kill ticker fed by the local live feed (EVE-KILL style WebSocket protocol).
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const number = (name, fallback) => {
    const value = Number(params.get(name));
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  const parseIsk = (text) => {
    const match = /^\s*([\d.]+)\s*([kmbt]?)\s*$/i.exec(text || "");
    if (!match) return 0;
    const units = { "": 1, k: 1e3, m: 1e6, b: 1e9, t: 1e12 };
    return Number(match[1]) * units[match[2].toLowerCase()];
  };
  const entity = params.get("losses") || params.get("kills") || "";
  const config = {
    topics: (params.get("topics") || (entity ? "victim." + entity : "all")).split(",").filter(Boolean),
    minValue: parseIsk(params.get("min")),
    count: Math.min(number("count", 5), 25),
    duration: number("duration", 0),
    layout: params.get("layout") === "horizontal" ? "horizontal" : "vertical",
    theme: ["dark", "light", "minimal"].includes(params.get("theme")) ? params.get("theme") : "dark",
    losses: params.get("losses") || "",
    kills: params.get("kills") || "",
    replay: Math.min(number("replay", 0), 100),
    token: params.get("token") || "",
  };
  if (config.losses) config.topics = ["victim." + config.losses];
  if (config.kills) config.topics = ["attacker." + config.kills];
  document.body.classList.add("theme-" + config.theme, "layout-" + config.layout);

  const list = document.getElementById("kills");
  const status = document.getElementById("status");
  const image = "https://images.evetech.net";

  function shortIsk(value) {
    const steps = [[1e12, "t"], [1e9, "b"], [1e6, "m"], [1e3, "k"]];
    for (const [size, unit] of steps) {
      if (value >= size) return (value / size).toFixed(value >= size * 100 ? 0 : value >= size * 10 ? 1 : 2) + unit;
    }
    return Math.round(value).toString();
  }
  const nameOf = (e) => (e && (e.name || (e.id ? "#" + e.id : ""))) || "";
  const involves = (party, id) => party && [party.character, party.corporation, party.alliance]
    .some((e) => e && String(e.id) === String(id));

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(kill) {
    if (kill.totalValue < config.minValue) return;
    if (config.losses && !involves(kill.victim, config.losses)) return;
    if (document.querySelector('[data-killmail-id="' + kill.killmailId + '"]')) return;
    const victim = kill.victim || {};
    const ship = victim.ship || {};
    const card = element("li", "kill");
    card.dataset.killmailId = kill.killmailId;
    if (config.losses) card.classList.add("loss");
    if (config.kills) card.classList.add("win");
    const render = element("img", "ship-image");
    render.alt = ship.name || "";
    render.src = image + "/types/" + ship.id + "/render?size=64";
    card.appendChild(render);
    const text = element("div", "text");
    text.appendChild(element("span", "line ship", ship.name || "Ship #" + ship.id));
    const pilot = nameOf(victim.character) || nameOf(victim.corporation);
    const corp = victim.alliance ? nameOf(victim.alliance) : nameOf(victim.corporation);
    text.appendChild(element("span", "line who", pilot + (corp && corp !== pilot ? " (" + corp + ")" : "")));
    const system = kill.solarSystem || {};
    const region = (system.region && system.region.name) || "";
    text.appendChild(element("span", "line where",
      (system.name || "") + (region ? " \u00b7 " + region : "") + (kill.attackerCount ? " \u00b7 " + kill.attackerCount + " attackers" : "")));
    card.appendChild(text);
    if (victim.character && victim.character.id) {
      const portrait = element("img", "portrait");
      portrait.alt = "";
      portrait.src = image + "/characters/" + victim.character.id + "/portrait?size=64";
      card.appendChild(portrait);
    }
    card.appendChild(element("span", "value", shortIsk(kill.totalValue || 0) + " ISK"));
    list.insertBefore(card, list.firstChild);
    while (list.children.length > config.count) list.removeChild(list.lastChild);
    if (config.duration > 0) {
      setTimeout(() => {
        card.classList.add("leaving");
        setTimeout(() => card.remove(), 400);
      }, config.duration * 1000);
    }
  }

  let delay = 1000;
  function connect() {
    const url = new URL("/killmails", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.search = "";
    if (config.token) url.searchParams.set("token", config.token);
    const socket = new WebSocket(url.toString());
    socket.onopen = () => {
      delay = 1000;
      status.hidden = true;
      socket.send(JSON.stringify({ type: "subscribe", topics: config.topics, replay: config.replay }));
    };
    socket.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "killmail" && message.data) show(message.data);
      else if (message.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
      else if (message.type === "error") { status.textContent = message.message; status.hidden = false; }
    };
    socket.onclose = () => {
      status.textContent = "reconnecting\u2026";
      status.hidden = false;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
