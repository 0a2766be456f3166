from partage.cli import main

main()
