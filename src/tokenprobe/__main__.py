from tokenprobe.cli import main

main()
