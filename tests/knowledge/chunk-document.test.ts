import { describe, expect, it } from "vitest";
import { chunkDocument, documentKind, MAX_CHARS } from "../../src/knowledge/chunk-document.js";

describe("chunkDocument", () => {
  it("splits Markdown at headings and keeps each passage's heading path", async () => {
    const passages = await chunkDocument(
      "Intro line.\n\n# Setup\n\nInstall it.\n\n## Docker\n\nRun compose.\n\n# Use\n\nTalk to it.\n",
      "markdown",
    );
    expect(passages).toEqual([
      { text: "Intro line." },
      { heading: "Setup", text: "Install it." },
      { heading: "Setup › Docker", text: "Run compose." },
      { heading: "Use", text: "Talk to it." },
    ]);
  });

  it("never treats a # inside a code fence as a heading, nor splits the fence at its blank lines", async () => {
    const fence = "```sh\n# not a heading\n\nnpm start\n```";
    const passages = await chunkDocument(`# Run\n\n${fence}\n`, "markdown");
    expect(passages).toEqual([{ heading: "Run", text: fence }]);
  });

  it("joins short paragraphs of a section and cuts a long one at line ends", async () => {
    const long = Array.from({ length: 60 }, (_, index) => `Line ${index} of a long paragraph.`).join("\n");
    const passages = await chunkDocument(`# Long\n\n${long}\n\nshort one\n\nshort two\n`, "markdown");
    expect(passages.length).toBeGreaterThan(1);
    expect(passages.every((passage) => passage.text.length <= MAX_CHARS)).toBe(true);
    expect(passages.every((passage) => passage.heading === "Long")).toBe(true);
    expect(passages.at(-1)?.text).toContain("short one\n\nshort two");
    expect(passages.map((passage) => passage.text).join("\n")).toContain("Line 59 of a long paragraph.");
  });

  it("reads an HTML page through html-to-text: headings as sections; navigation, scripts, styles and link targets left out", async () => {
    const page = `<!doctype html><html><head><title>Docs</title><style>p { color: red }</style></head>
      <body><nav><a href="/">Home</a> | <a href="/docs">Docs</a></nav>
      <h1>Setup</h1><p>Run <code>npm start</code> &mdash; see <a href="https://example.invalid/x">the guide</a>.</p>
      <!-- an editor's note -->
      <h2>Settings</h2><table><tr><th>Name</th><th>Default</th></tr><tr><td>LOG_LEVEL</td><td>info</td></tr></table>
      <h3>Model &amp; threads</h3><ol><li>pick a model</li><li>set threads</li></ol>
      <script>track()</script></body></html>`;
    const passages = await chunkDocument(page, "html");
    expect(passages.map((passage) => passage.heading)).toEqual([
      "Setup",
      "Setup › Settings",
      "Setup › Settings › Model & threads",
    ]);
    expect(passages[0]?.text).toBe("Run npm start — see the guide.");
    expect(passages[1]?.text).toMatch(/^Name +Default\nLOG_LEVEL +info$/);
    // html-to-text numbers ordered items with a leading space (" 2. "); the first line's is trimmed.
    expect(passages[2]?.text).toMatch(/^ ?1\. pick a model\n ?2\. set threads$/);
    const everything = passages.map((passage) => passage.text).join("\n");
    for (const absent of ["Home", "track()", "color", "example.invalid", "editor's note", "Docs"])
      expect(everything).not.toContain(absent);
  });

  it("reads HTML headings as sections and leaves scripts and tags out", async () => {
    const passages = await chunkDocument(
      "<html><head><title>x</title><script>alert(1)</script></head><body><h1>Guide</h1><p>Fish &amp; chips.</p><h2>More <em>here</em></h2><ul><li>one</li><li>two</li></ul></body></html>",
      "html",
    );
    expect(passages).toEqual([
      { heading: "Guide", text: "Fish & chips." },
      { heading: "Guide › More here", text: "- one\n- two" },
    ]);
  });

  it("splits plain text at paragraphs, without headings, and knows file kinds by extension", async () => {
    expect(await chunkDocument("# not markdown\n\nsecond", "text")).toEqual([
      { text: "# not markdown\n\nsecond" },
    ]);
    expect([
      documentKind("a.MD"),
      documentKind("b.txt"),
      documentKind("c.htm"),
      documentKind("d.pdf"),
    ]).toEqual(["markdown", "text", "html", undefined]);
  });
});
