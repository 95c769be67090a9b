import { createReadStream } from "node:fs";

/**
 * The sha256 of a file, read as a stream in chunks: a large file is hashed without holding it
 * in memory and without holding the event loop (each chunk is its own turn), so the API keeps
 * answering while a 200 MB file is read.
 */
export async function hashFile(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hasher.update(chunk as Buffer);
  }
  return hasher.digest("hex");
}
