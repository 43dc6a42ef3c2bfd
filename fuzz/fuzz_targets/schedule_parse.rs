#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    liboo_fuzz::run_schedule_parse(data);
});
