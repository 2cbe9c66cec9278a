{
  "targets": [
    {
      "target_name": "mapfile",
      "sources": ["mapfile.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
