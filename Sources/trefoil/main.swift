print("trefoil")
