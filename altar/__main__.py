from altar.cli import main

main()
