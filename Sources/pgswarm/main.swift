print("pgswarm")
