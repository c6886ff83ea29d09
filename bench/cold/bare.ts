/** Cold-start baseline: bare `node`, nothing imported. Prints ms since process start and peak RSS in MiB. */
process.stdout.write(JSON.stringify({ ms: performance.now(), peakMiB: process.resourceUsage().maxRSS / 1024 }))
