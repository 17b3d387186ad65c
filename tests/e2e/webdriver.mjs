// A minimal W3C WebDriver client over fetch: just what the end-to-end test needs (sessions, finding
// elements, clicks, text, scripts, screenshots) plus explicit waits with clear failure messages.

const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    const detail = value && typeof value === "object" ? `${value.error ?? ""}: ${value.message ?? ""}` : String(value);
    super(`WebDriver ${method} ${path} failed (HTTP ${status}) ${detail}`.trim());
    this.name = "WebDriverError";
    this.error = value?.error;
  }
}

async function request(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new WebDriverError(method, path, response.status, text.slice(0, 300));
  }
  if (!response.ok) throw new WebDriverError(method, path, response.status, json.value);
  return json.value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value (which is returned) or `timeoutMs` passes. */
export async function waitFor(probe, { timeoutMs = 10_000, intervalMs = 250, message = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  let lastValue;
  for (;;) {
    try {
      lastValue = await probe();
      if (lastValue) return lastValue;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${lastError.message})` : lastValue !== undefined ? ` (last value: ${JSON.stringify(lastValue)})` : "";
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}${why}`);
    }
    await sleep(intervalMs);
  }
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Waits until the server answers /status, e.g. right after starting tauri-driver. */
  static async waitForServer(base, timeoutMs = 20_000) {
    await waitFor(() => request(base, "GET", "/status").then(() => true), {
      timeoutMs,
      message: `the WebDriver server at ${base}`,
    });
  }

  static async create(base, capabilities) {
    const value = await request(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async delete() {
    await this.cmd("DELETE", "");
  }

  /** All elements matching a CSS selector (ids). */
  async findAll(css) {
    const value = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return value.map((e) => e[ELEMENT_KEY]);
  }

  /** The first element matching `css`, or null. */
  async find(css) {
    const all = await this.findAll(css);
    return all[0] ?? null;
  }

  /** Waits for an element matching `css` and returns its id. */
  waitForElement(css, timeoutMs = 10_000) {
    return waitFor(() => this.find(css), { timeoutMs, message: `element ${css}` });
  }

  click(element) {
    return this.cmd("POST", `/element/${element}/click`, {});
  }

  text(element) {
    return this.cmd("GET", `/element/${element}/text`);
  }

  attribute(element, name) {
    return this.cmd("GET", `/element/${element}/attribute/${encodeURIComponent(name)}`);
  }

  /** Runs a script in the page; `args` may contain element ids wrapped with `Session.el`. */
  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  static el(id) {
    return { [ELEMENT_KEY]: id };
  }

  /**
   * A PNG screenshot of the window's content, as a Buffer. WebKitGTK answers a screenshot with the
   * *next* painted frame; on an idle page (and without the DMA-BUF renderer) none may come, so the page
   * is nudged to repaint shortly after the request goes out (an opacity flicker of 0.001 over one frame).
   */
  async screenshot(timeoutMs = 30_000) {
    await this.execute(
      `const nudge = () => { document.body.style.opacity = "0.999";
         requestAnimationFrame(() => requestAnimationFrame(() => { document.body.style.opacity = ""; })); };
       for (const ms of [200, 1000, 3000]) setTimeout(nudge, ms);`,
    );
    const value = await Promise.race([
      this.cmd("GET", "/screenshot"),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`screenshot timed out after ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return Buffer.from(value, "base64");
  }

  source() {
    return this.cmd("GET", "/source");
  }
}
