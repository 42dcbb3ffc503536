import { exactLength, orderedRangeStream } from './ranged';

const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

describe('orderedRangeStream', () => {
  it('delivers every byte once, in order, with bounded requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const ranges: string[] = [];
    const parts: Buffer[] = [];
    for await (const part of orderedRangeStream({
      size: data.length,
      partSize: 1024,
      concurrency: 3,
      fetchRange: async ({ start, end }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        ranges.push(`${start}-${end}`);
        // Later parts finish first: order must still hold.
        await new Promise((resolve) => setTimeout(resolve, 20 - (start / 1024) * 2));
        inFlight--;
        return data.subarray(start, end + 1);
      },
    })) {
      parts.push(Buffer.from(part));
    }
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect(ranges).toHaveLength(10);
    expect(ranges[9]).toBe('9216-9999');
    expect(peak).toBe(3);
  });

  it('surfaces a failed range', async () => {
    const read = async () => {
      for await (const _ of orderedRangeStream({
        size: 4096,
        partSize: 1024,
        fetchRange: async ({ start, end }) => {
          if (start === 2048) throw new Error('SlowDown');
          return data.subarray(start, end + 1);
        },
      })) {
        // consume
      }
    };
    await expect(read()).rejects.toThrow('SlowDown');
  });

  it('refuses a short range rather than scanning a gap', async () => {
    const read = async () => {
      for await (const _ of orderedRangeStream({
        size: 4096,
        partSize: 1024,
        fetchRange: async () => data.subarray(0, 10),
      })) {
        // consume
      }
    };
    await expect(read()).rejects.toThrow(/expected 1024/);
  });
});

describe('exactLength', () => {
  async function* chunks(...sizes: number[]) {
    for (const size of sizes) yield data.subarray(0, size);
  }
  async function read(source: AsyncIterable<Uint8Array>): Promise<number> {
    let total = 0;
    for await (const chunk of source) total += chunk.byteLength;
    return total;
  }

  it('passes a body of exactly the expected length through', async () => {
    await expect(read(exactLength(chunks(100, 50), 150))).resolves.toBe(150);
  });

  it('refuses a body that ends early without an error', async () => {
    await expect(read(exactLength(chunks(100, 50), 200))).rejects.toThrow(
      'body ended after 150 of 200 bytes',
    );
  });

  it('refuses a body longer than the object', async () => {
    await expect(read(exactLength(chunks(100, 50), 120))).rejects.toThrow(
      /longer than the object's 120 bytes/,
    );
  });
});
