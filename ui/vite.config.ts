// Vite builds the frontend into `dist/`, which the desktop binary embeds (feature `custom-protocol`).
// Everything is bundled locally: no CDN, no remote fonts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  clearScreen: false,
  // The header logo comes from the repository's icons/ folder, one level up.
  server: { port: 5173, strictPort: true, host: "127.0.0.1", fs: { allow: [".."] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    sourcemap: false,
  },
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.test.ts"],
  },
});
