-- Calls ended before durations were cast to whole seconds stored fractions (1.704), which the
-- API's integer durationSec could not answer; round them down like new calls.
UPDATE `video_calls` SET `duration_sec` = CAST(`duration_sec` AS INTEGER) WHERE typeof(`duration_sec`) = 'real';
