// Decodes a PNG into RGBA pixels without any dependency, so the icon checks can look at every
// pixel. Handles the non-interlaced formats icon tools write: 8-bit grey, grey+alpha, RGB, RGBA,
// and palette images (1, 2, 4 or 8 bits) with an optional tRNS chunk.
import { inflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

// Returns { width, height, colorType, bitDepth, rgba } where rgba holds width*height*4 bytes.
export function decodePng(buffer) {
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(SIGNATURE)) {
    throw new Error("not a PNG file (bad signature)");
  }
  let header;
  let palette;
  let transparency;
  const idat = [];
  for (let offset = 8; offset < buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString("latin1", offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
    if (type === "IHDR") {
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8],
        colorType: body[9],
        interlace: body[12],
      };
    } else if (type === "PLTE") palette = body;
    else if (type === "tRNS") transparency = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
  }
  if (!header) throw new Error("PNG has no IHDR chunk");
  const { width, height, bitDepth, colorType, interlace } = header;
  const channels = CHANNELS[colorType];
  const supported =
    channels !== undefined && interlace === 0 && (bitDepth === 8 || (colorType === 3 && [1, 2, 4].includes(bitDepth)));
  if (!supported) {
    throw new Error(`unsupported PNG format (colour type ${colorType}, bit depth ${bitDepth}, interlace ${interlace})`);
  }
  if (colorType === 3 && !palette) throw new Error("palette PNG without a PLTE chunk");

  const rows = unfilter(inflateSync(Buffer.concat(idat)), width, height, channels, bitDepth);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const out = (y * width + x) * 4;
      const row = rows[y];
      if (colorType === 3) {
        const index = readPaletteIndex(row, x, bitDepth);
        rgba.set([palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2]], out);
        rgba[out + 3] = transparency && index < transparency.length ? transparency[index] : 255;
      } else {
        const at = x * channels;
        const grey = colorType === 0 || colorType === 4;
        rgba[out] = row[at];
        rgba[out + 1] = grey ? row[at] : row[at + 1];
        rgba[out + 2] = grey ? row[at] : row[at + 2];
        rgba[out + 3] = colorType === 4 ? row[at + 1] : colorType === 6 ? row[at + 3] : 255;
      }
    }
  }
  return { width, height, colorType, bitDepth, rgba };
}

function readPaletteIndex(row, x, bitDepth) {
  const perByte = 8 / bitDepth;
  const byte = row[Math.floor(x / perByte)];
  const shift = 8 - bitDepth * ((x % perByte) + 1);
  return (byte >> shift) & ((1 << bitDepth) - 1);
}

// Reverses the per-row filters (None, Sub, Up, Average, Paeth) of the PNG spec.
function unfilter(data, width, height, channels, bitDepth) {
  const bytesPerPixel = Math.max(1, (channels * bitDepth) / 8);
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const rows = [];
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; y += 1) {
    const start = y * (stride + 1);
    const filter = data[start];
    const row = Uint8Array.from(data.subarray(start + 1, start + 1 + stride));
    for (let i = 0; i < stride; i += 1) {
      const left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
      const up = previous[i];
      const upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
      let predictor;
      if (filter === 0) predictor = 0;
      else if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) predictor = paeth(left, up, upLeft);
      else throw new Error(`PNG row ${y} has unknown filter type ${filter}`);
      row[i] = (row[i] + predictor) & 0xff;
    }
    rows.push(row);
    previous = row;
  }
  return rows;
}

function paeth(left, up, upLeft) {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}
