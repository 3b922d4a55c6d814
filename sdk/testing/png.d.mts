/** A `width`×`height` RGB PNG's bytes. */
export declare function pngBytes(width: number, height: number): Buffer;
