import { keepShape } from '../keep-shape';
import { ZIGZAG } from './frame';

/** Where a component's blocks are cut by the image's right and bottom edges. */
export interface EdgeBlocks {
  /** Block column holding the last image pixels when they do not fill it, else -1. */
  column: number;
  /** Block row likewise, else -1. */
  row: number;
}

/**
 * Quantized DCT coefficients of one component, kept until the last scan.
 * Only the top-left `nx`×`ny` coefficients of each block are stored, the ones
 * the scaled IDCT reads; for the others a progressive file needs only to know
 * whether they are nonzero, because an AC refinement scan reads a correction
 * bit for each nonzero coefficient (ITU T.81 §G.1.2.3), so one bit each is kept.
 * Blocks cut by the image edge keep all 64: averaging only their pixels
 * inside the image needs every frequency (one block row and column: cheap).
 */
export class CoefficientStore {
  readonly blocksW: number;
  /** Coefficients kept per block (nx × ny). */
  readonly kept: number;
  /** Zig-zag index → slot within a block's kept coefficients, or -1 when dropped. */
  readonly slotOf: Int32Array;
  /** Slot → natural (row-major 8×8) index. */
  readonly naturalOf: Int32Array;
  readonly coefs: Int16Array;
  /** Two 32-bit words per block: bit k set when zig-zag coefficient k (dropped) is nonzero. */
  readonly nonzero: Uint32Array | undefined;
  /**
   * Progressive at full scale: per block, an upper bound on the zig-zag index
   * of its last nonzero coefficient (0 while only DC may be). A refinement
   * scan's correction pass stops there (positions past it are zero).
   */
  readonly last: Uint8Array | undefined;

  private readonly edges: EdgeBlocks;
  private readonly edgeStore: CoefficientStore | undefined;
  private readonly blocksH: number;

  constructor(
    blocksW: number,
    blocksH: number,
    nx: number,
    ny: number,
    trackDropped: boolean,
    edges: EdgeBlocks = { column: -1, row: -1 },
  ) {
    this.blocksW = blocksW;
    this.blocksH = blocksH;
    this.edges = nx * ny < 64 ? edges : { column: -1, row: -1 };
    this.edgeStore =
      this.edges.column >= 0 || this.edges.row >= 0
        ? new CoefficientStore(1, blocksW + blocksH, 8, 8, false)
        : undefined;
    this.kept = nx * ny;
    this.slotOf = new Int32Array(64).fill(-1);
    this.naturalOf = new Int32Array(this.kept);
    for (let k = 0; k < 64; k++) {
      const natural = ZIGZAG[k]!;
      const row = natural >> 3;
      const col = natural & 7;
      if (row < ny && col < nx) {
        // All 64 kept: zig-zag order, the order the progressive scans walk a band in.
        const slot = nx * ny === 64 ? k : row * nx + col;
        this.slotOf[k] = slot;
        this.naturalOf[slot] = natural;
      }
    }
    const blocks = blocksW * blocksH;
    this.coefs = new Int16Array(blocks * this.kept);
    this.nonzero = trackDropped && this.kept < 64 ? new Uint32Array(blocks * 2) : undefined;
    this.last = trackDropped && this.kept === 64 ? new Uint8Array(blocks) : undefined;
  }

  /**
   * Whether every block keeps all 64 coefficients (full scale), in zig-zag
   * order: block b's coefficient k is then `coefs[b * 64 + k]`, which the
   * progressive scans read and write directly.
   */
  get isFull(): boolean {
    return this.kept === 64 && this.edgeStore === undefined;
  }

  /** Stores a fully decoded block (natural order), dropping what is not kept. */
  storeBlock(blockX: number, blockY: number, natural: Int32Array): void {
    const edge = this.edgeIndex(blockX, blockY);
    if (edge >= 0) {
      this.edgeStore!.storeBlock(0, edge, natural);
      return;
    }
    const base = (blockY * this.blocksW + blockX) * this.kept;
    for (let s = 0; s < this.kept; s++) this.coefs[base + s] = natural[this.naturalOf[s]!]!;
  }

  /**
   * Writes the kept coefficients of a block into `natural` (other entries are
   * left as they are); in a full store only zig-zag 0..`last` (those past
   * the block's {@link last} bound are zero).
   */
  loadBlock(blockX: number, blockY: number, natural: Int32Array, last = 63): void {
    if (this.isFull) {
      const base = (blockY * this.blocksW + blockX) * 64;
      const coefs = this.coefs;
      for (let k = 0; k <= last; k++) natural[ZIGZAG[k]!] = coefs[base + k]!;
      return;
    }
    const edge = this.edgeIndex(blockX, blockY);
    if (edge >= 0) {
      this.edgeStore!.loadBlock(0, edge, natural);
      return;
    }
    const base = (blockY * this.blocksW + blockX) * this.kept;
    for (let s = 0; s < this.kept; s++) natural[this.naturalOf[s]!] = this.coefs[base + s]!;
  }

  /** Zig-zag coefficients `from..to` of a block into `zz` (dropped ones as 0 or 1: only nonzero-ness is known). */
  readBand(blockX: number, blockY: number, from: number, to: number, zz: Int32Array): void {
    const edge = this.edgeIndex(blockX, blockY);
    if (edge >= 0) {
      this.edgeStore!.readBand(0, edge, from, to, zz);
      return;
    }
    const block = blockY * this.blocksW + blockX;
    const base = block * this.kept;
    for (let k = from; k <= to; k++) {
      const slot = this.slotOf[k]!;
      if (slot >= 0) zz[k] = this.coefs[base + slot]!;
      else zz[k] = this.nonzero !== undefined && (this.nonzero[block * 2 + (k >> 5)]! >>> (k & 31)) & 1 ? 1 : 0;
    }
  }

  /** The inverse of {@link readBand}. */
  writeBand(blockX: number, blockY: number, from: number, to: number, zz: Int32Array): void {
    const edge = this.edgeIndex(blockX, blockY);
    if (edge >= 0) {
      this.edgeStore!.writeBand(0, edge, from, to, zz);
      return;
    }
    const block = blockY * this.blocksW + blockX;
    const base = block * this.kept;
    for (let k = from; k <= to; k++) {
      const slot = this.slotOf[k]!;
      if (slot >= 0) this.coefs[base + slot] = zz[k]!;
      else if (zz[k] !== 0) this.markNonzero(block, k);
    }
  }

  /** Sets zig-zag coefficient `k` of a block (first scan of its band). */
  set(blockX: number, blockY: number, k: number, value: number): void {
    const edge = this.edgeIndex(blockX, blockY);
    if (edge >= 0) {
      this.edgeStore!.set(0, edge, k, value);
      return;
    }
    const block = blockY * this.blocksW + blockX;
    const slot = this.slotOf[k]!;
    if (slot >= 0) this.coefs[block * this.kept + slot] = value;
    else if (value !== 0) this.markNonzero(block, k);
  }

  /** The DC coefficient (always kept, slot 0). */
  dc(blockX: number, blockY: number): number {
    const edge = this.edgeIndex(blockX, blockY);
    if (edge >= 0) {
      return this.edgeStore!.dc(0, edge);
    }
    return this.coefs[(blockY * this.blocksW + blockX) * this.kept]!;
  }

  setDc(blockX: number, blockY: number, value: number): void {
    const edge = this.edgeIndex(blockX, blockY);
    if (edge >= 0) {
      this.edgeStore!.setDc(0, edge, value);
      return;
    }
    this.coefs[(blockY * this.blocksW + blockX) * this.kept] = value;
  }

  /** Index of a cut block in the edge store (column blocks first, then row blocks), or -1. */
  private edgeIndex(blockX: number, blockY: number): number {
    if (blockX === this.edges.column) return blockY;
    if (blockY === this.edges.row) return this.blocksH + blockX;
    return -1;
  }

  private markNonzero(block: number, k: number): void {
    if (this.nonzero !== undefined) this.nonzero[block * 2 + (k >> 5)]! |= 1 << (k & 31);
  }
}

// Keeps the store's map alive between images (see keepShape): one block, each
// way a store is made (every coefficient kept with `last`, some dropped with
// `nonzero` and an edge store).
keepShape(new CoefficientStore(1, 1, 8, 8, true));
keepShape(new CoefficientStore(1, 1, 4, 4, true, { column: 0, row: 0 }));
