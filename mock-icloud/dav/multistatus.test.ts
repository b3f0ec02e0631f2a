/**
 * sendMultistatus under backpressure: a long answer waits for the reader ('drain') and stops making
 * responses once the reader has gone ('close'). A stub Response stands in for the socket, whose
 * buffers on loopback would take megabytes before pushing back.
 */
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { DAV } from '../../common/xml/names.js';
import { children, parseXml, XML_LIMITS } from '../../common/xml/parse.js';
import { response, sendMultistatus } from './multistatus.js';

/** A Response whose every write is refused (the socket's buffer full) until `then` says what happens next. */
class FullSocket extends EventEmitter {
  readonly pieces: string[] = [];
  ended: string | undefined;
  destroyed = false;
  constructor(private readonly then: (socket: FullSocket) => void) {
    super();
  }
  status(): this {
    return this;
  }
  setHeader(): this {
    return this;
  }
  write(piece: string): boolean {
    this.pieces.push(piece);
    setImmediate(() => this.then(this));
    return false;
  }
  end(piece: string): void {
    this.ended = piece;
  }
}

/** 2,000 responses, about 150 KB: several pieces. `made` counts how many were made. */
function responses(counter: { made: number }) {
  return (function* () {
    for (let i = 0; i < 2_000; i++) {
      counter.made++;
      yield response(`/1/calendars/home/E${i}.ics`, [{ status: 200, props: [] }]);
    }
  })();
}

describe('sendMultistatus under backpressure', () => {
  it('waits for each drain and sends the whole answer', async () => {
    const counter = { made: 0 };
    const socket = new FullSocket(() => undefined);
    const sending = sendMultistatus(socket as unknown as Response, responses(counter));
    // Five turns of the event loop without a drain: nothing more is made or written.
    for (let turn = 0; turn < 5; turn++) await new Promise(setImmediate);
    expect(socket.pieces).toHaveLength(1);
    expect(counter.made).toBeLessThan(2_000);
    while (socket.ended === undefined) {
      socket.emit('drain');
      await new Promise(setImmediate);
    }
    await sending;
    expect(socket.pieces.length).toBeGreaterThan(1);
    const root = parseXml(socket.pieces.join('') + socket.ended!, { ...XML_LIMITS, elements: 20_000, namespaceDeclarations: 5_000 });
    expect(children(root, DAV('response'))).toHaveLength(2_000);
  });

  it('stops making responses once the reader has gone', async () => {
    const counter = { made: 0 };
    const socket = new FullSocket((s) => {
      s.destroyed = true;
      s.emit('close');
    });
    await sendMultistatus(socket as unknown as Response, responses(counter));
    expect(socket.pieces).toHaveLength(1);
    expect(socket.ended).toBeUndefined();
    expect(counter.made).toBeLessThan(2_000);
  });
});
