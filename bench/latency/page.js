// Runs in the player page (next to hls.js): plays one stream and, for every frame Chromium
// presents, reads the clock strip the publisher drew (see run.sh) and compares it with the wall
// clock at the frame's expected display time. Everything it returns is plain data.
/* global Hls */
(() => {
  const W = 640; const STRIP = 32; const BLOCK = 16; const X0 = 64; const BITS = 32;
  const TWO32 = 4294967296;
  const st = {
    sampling: false, samples: [], bad: 0, badSampling: 0, frames: 0, fatal: null, errors: {},
    waiting: 0, waitingSampling: 0, freezes: 0, frozenMs: 0, latency: [], rates: [], started: null,
  };
  window.bench = st;

  function decode(d) {
    // d: RGBA bytes of the 640x32 strip. Each block's 8x8 centre; row 0 bits, row 1 complement.
    let v = 0; let ok = true;
    for (let b = 0; b < BITS; b += 1) {
      const x = X0 + BLOCK * b + 4;
      let top = 0; let bot = 0;
      for (let y = 0; y < 8; y += 1) {
        for (let i = 0; i < 8; i += 1) {
          top += d[((4 + y) * W + x + i) * 4];
          bot += d[((20 + y) * W + x + i) * 4];
        }
      }
      top /= 64; bot /= 64;
      const bit = top > 128;
      if (bit === (bot > 128) || (top > 40 && top < 215) || (bot > 40 && bot < 215)) ok = false;
      v = v * 2 + (bit ? 1 : 0);
    }
    return ok ? v : null;
  }

  window.startPlayer = (src, config) => {
    const v = document.getElementById('v');
    const canvas = document.createElement('canvas');
    canvas.width = W; canvas.height = STRIP;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!window.Hls || !Hls.isSupported()) return 'hls.js unsupported';
    const hls = new Hls(config);
    window.hls = hls;
    hls.on(Hls.Events.ERROR, (_e, d) => {
      const k = `${d.fatal ? 'fatal ' : ''}${d.details}`;
      st.errors[k] = (st.errors[k] || 0) + 1;
      if (d.fatal) st.fatal = `${d.type}: ${d.details}`;
    });
    v.addEventListener('waiting', () => { st.waiting += 1; if (st.sampling) st.waitingSampling += 1; });
    hls.loadSource(src);
    hls.attachMedia(v);
    v.play().catch(() => {});
    let lastShown = null;
    const onFrame = (now, meta) => {
      // Wall-clock time at which this frame is shown: Date.now() moved by how far ahead of
      // performance.now() the compositor expects to display it.
      const shown = Date.now() + (meta.expectedDisplayTime - performance.now());
      st.frames += 1;
      if (st.started === null) st.started = Date.now();
      ctx.drawImage(v, 0, 0, W, STRIP, 0, 0, W, STRIP);
      const val = decode(ctx.getImageData(0, 0, W, STRIP).data);
      if (st.sampling && lastShown !== null && shown - lastShown > 250) {
        st.freezes += 1; st.frozenMs += shown - lastShown;
      }
      lastShown = shown;
      if (val === null) {
        st.bad += 1; if (st.sampling) st.badSampling += 1;
      } else if (st.sampling) {
        let delay = ((shown % TWO32) - val + TWO32) % TWO32;
        if (delay > TWO32 / 2) delay -= TWO32;
        st.samples.push([Math.round(shown), Math.round(delay * 10) / 10, Math.round(meta.mediaTime * 1000)]);
      }
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    setInterval(() => {
      if (!st.sampling) return;
      if (Number.isFinite(hls.latency)) st.latency.push(hls.latency);
      st.rates.push(v.playbackRate);
    }, 500);
    return 'ok';
  };

  window.benchStatus = () => {
    const v = document.getElementById('v');
    const q = v.getVideoPlaybackQuality();
    return {
      t: v.currentTime, w: v.videoWidth, h: v.videoHeight, fatal: st.fatal, frames: st.frames,
      bad: st.bad, samples: st.samples.length, decoded: q.totalVideoFrames, dropped: q.droppedVideoFrames,
      visibility: document.visibilityState,
    };
  };
})();
