from infraplane.interfaces.cli.main import main

main()
