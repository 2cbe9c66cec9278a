{
  "targets": [
    {
      "target_name": "smakernel",
      "sources": ["smakernel.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-ffp-contract=off", "-fno-fast-math"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-O2", "-ffp-contract=off", "-fno-fast-math"]
      }
    }
  ]
}
